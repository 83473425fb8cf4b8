/**
 * The interleavings of issue 18, each made deterministic: one actor stops inside a store
 * call while another commits, then goes on. Express executions are at-least-once,
 * EventBridge may deliver OrderPlaced twice and channels amend orders at any moment, so
 * each of these happens at peak. The invariant every test checks: the order stays live
 * and fulfillable, stock and reservations stay exact, other orders stay cancellable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { homeShard, inventoryView, type SkuStock } from '../../functions/domain/stock.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { cancelOrder } from '../../functions/use-cases/cancel-order.ts';
import { changeShippingAddress } from '../../functions/use-cases/change-shipping-address.ts';
import { lockStock, releaseStock } from '../../functions/use-cases/lock-stock.ts';
import { cancelShipment, requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { releaseAllocation, routeOrder } from '../../functions/use-cases/route-order.ts';
import { localDependencies, openedOrder } from '../support/dynamodb.ts';
import { pauseAfter } from '../support/pause.ts';
import { runFulfilment } from '../support/fulfilment-workflow.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { rebalance, setOnHand } from '../../functions/use-cases/inventory.ts';

const CHANNEL = orderRequest().channel;
const SHANGHAI = orderRequest().shipTo;
/** No warehouse of the demo policy serves France. */
const PARIS = { ...SHANGHAI, country: 'FR', region: 'Paris', city: 'Paris', postalCode: '75001', line1: '1 Rue de Rivoli' };

let deps: Dependencies;
let counter = 0;

beforeAll(async () => {
  deps = await localDependencies('races');
});

async function stockedSku(warehouses: Record<string, number>, shards?: number): Promise<string> {
  const sku = `RACE-${++counter}-${Date.now()}`;
  await setOnHand(deps, sku, warehouses, shards);
  return sku;
}

async function place(sku: string, options: { shipTo?: typeof SHANGHAI; homeShardOf?: number } = {}): Promise<string> {
  for (;;) {
    const request = orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }], ...(options.shipTo ? { shipTo: options.shipTo } : {}) });
    const { order } = await placeOrderOnce(deps, request);
    if (options.homeShardOf === undefined || homeShard(order.orderId, 2) === options.homeShardOf) return order.orderId;
  }
}

async function stockOf(sku: string): Promise<SkuStock> {
  const stock = await deps.stock.get(sku);
  if (!stock) throw new Error(`no stock for ${sku}`);
  return stock;
}

/** Per shard: no counter below zero and available = sum(free) - reserved. */
function expectConsistentShards(stock: SkuStock) {
  for (const shard of stock.shards) {
    const free = Object.values(shard.warehouses).reduce((sum, w) => sum + w.free, 0);
    expect(shard.reserved, `shard ${shard.shard}`).toBeGreaterThanOrEqual(0);
    expect(shard.available, `shard ${shard.shard}`).toBe(free - shard.reserved);
  }
}

describe('races of issue 18', () => {
  it('a duplicate RouteOrder that read stock after the other execution routed does not reject the routed order', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const orderId = await place(sku);
    await lockStock(deps, orderId);
    // Execution B replays LockStock, reads the order and its lock in RouteOrder, and stops there.
    const b = pauseAfter(deps, 'orders', 'getReservation');
    const executionB = runFulfilment(b.deps, orderId);
    await b.reached;
    // Execution A routes: the only unit is now allocated to this very order.
    await routeOrder(deps, orderId);
    b.release();
    await executionB;
    // A goes on from where it was (its earlier steps replay).
    await runFulfilment(deps, orderId);

    const order = await deps.orders.get(orderId);
    expect(order).toMatchObject({ status: 'SHIPMENT_REQUESTED' });
    expect(order?.rejectionReason).toBeUndefined();
    expect(await deps.orders.getReservation(orderId)).toMatchObject({ state: 'ALLOCATED' });
    expect(inventoryView(await stockOf(sku))).toMatchObject({ onHand: 1, reserved: 1, availableToPromise: 0 });
  });

  it('routing that read the order before the channel corrected its address decides again on the new address', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const orderId = await place(sku, { shipTo: PARIS });
    await lockStock(deps, orderId);
    // RouteOrder reads the order (still going to Paris, where nothing ships) and stops.
    const routing = pauseAfter(deps, 'orders', 'get', 2);
    const execution = runFulfilment(routing.deps, orderId);
    await routing.reached;
    await changeShippingAddress(deps, { orderId, channel: CHANNEL, shipTo: SHANGHAI });
    routing.release();
    expect((await execution).endState).toBe('ShipmentRequested');

    const order = await openedOrder(deps, orderId);
    expect(order).toMatchObject({ status: 'SHIPMENT_REQUESTED', shipTo: SHANGHAI });
    expect(order?.route?.parcels.map((parcel) => parcel.warehouseId)).toEqual(['wh-shanghai']);
    expect(inventoryView(await stockOf(sku))).toMatchObject({ reserved: 1, availableToPromise: 0 });
  });

  it('a duplicate LockStock that read the order before the other execution locked does not reject the locked order', async () => {
    // One unit over two shards: it sits in shard 0, the order's home is shard 1, so locking spreads.
    const sku = await stockedSku({ 'wh-shanghai': 1 }, 2);
    const orderId = await place(sku, { homeShardOf: 1 });
    // Execution B's home lock fails; it reads the order again (still PLACED) to spread, and stops.
    const b = pauseAfter(deps, 'orders', 'get', 2);
    const executionB = runFulfilment(b.deps, orderId);
    await b.reached;
    // Execution A locks the unit first.
    await lockStock(deps, orderId);
    b.release();
    await executionB;
    await runFulfilment(deps, orderId);

    const order = await deps.orders.get(orderId);
    expect(order).toMatchObject({ status: 'SHIPMENT_REQUESTED' });
    expect(order?.rejectionReason).toBeUndefined();
    expect(inventoryView(await stockOf(sku))).toMatchObject({ onHand: 1, reserved: 1, availableToPromise: 0 });
  });

  it('a ReleaseStock decided on a lock that was since allocated and released elsewhere releases what the order holds now', async () => {
    // Two shards: shard 0 holds the Beijing units, shard 1 the Shanghai unit.
    const sku = await stockedSku({ 'wh-shanghai': 1, 'wh-beijing': 2 }, 2);
    const orderId = await place(sku, { homeShardOf: 0 });
    await lockStock(deps, orderId);
    // A late compensation reads the lock (in shard 0) and stalls before its write.
    const stale = pauseAfter(deps, 'orders', 'getReservation');
    const release = releaseStock(stale.deps, orderId);
    await stale.reached;
    // Meanwhile the order is allocated in Shanghai (shard 1) and that allocation released again:
    // LOCKED once more, now in shard 1. Another order locks in shard 0.
    await routeOrder(deps, orderId);
    await releaseAllocation(deps, orderId);
    expect(await deps.orders.getReservation(orderId)).toMatchObject({ state: 'LOCKED', locks: [{ sku, shard: 1, quantity: 1 }] });
    const other = await place(sku, { homeShardOf: 0 });
    await lockStock(deps, other);
    stale.release();
    await release;

    const after = await stockOf(sku);
    expectConsistentShards(after);
    // Only the other order's lock is held, in shard 0, where it was taken.
    expect(after.shards.map((shard) => shard.reserved)).toEqual([1, 0]);
    expect(await deps.orders.getReservation(orderId)).toBeUndefined();
    // The other order can still be cancelled, and the SKU resharded.
    expect((await cancelOrder(deps, { orderId: other, visibility: { channel: CHANNEL } })).status).toBe('CANCELLED');
    expect(inventoryView(await rebalance(deps, sku, 1))).toMatchObject({ onHand: 3, reserved: 0, availableToPromise: 3 });
  });

  it("a duplicate's CancelShipment that read the order before the other execution recorded the shipment cancels nothing (ADR 0001's known corner)", async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const orderId = await place(sku);
    await lockStock(deps, orderId);
    await routeOrder(deps, orderId);
    const cancelled: string[] = [];
    const carrier: Dependencies['carrier'] = { requestShipment: deps.carrier.requestShipment.bind(deps.carrier), cancelShipment: async ({ parcelId }) => void cancelled.push(parcelId) };
    // Execution B's RequestShipment failed; its CancelShipment reads the order (ROUTED) and stops.
    const b = pauseAfter({ ...deps, carrier }, 'orders', 'get');
    const cancel = cancelShipment(b.deps, orderId);
    await b.reached;
    // Execution A records the shipment it requested.
    await requestShipment(deps, orderId);
    b.release();
    expect(await cancel).toEqual({ orderId, undone: false });
    expect(cancelled).toEqual([]);
    expect(await deps.orders.get(orderId)).toMatchObject({ status: 'SHIPMENT_REQUESTED' });
  });

  it('a shipment requested after a compensation began is not recorded, and the execution compensates too', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const orderId = await place(sku);
    await lockStock(deps, orderId);
    await routeOrder(deps, orderId);
    // Execution A reads the order (ROUTED) in RequestShipment and stops; B's compensation begins meanwhile.
    const a = pauseAfter(deps, 'orders', 'get');
    const request = requestShipment(a.deps, orderId).catch((error: unknown) => error);
    await a.reached;
    expect(await cancelShipment(deps, orderId)).toEqual({ orderId, undone: true });
    a.release();
    expect(await request).toMatchObject({ name: 'OrderCompensating' });
    expect((await deps.orders.get(orderId))?.shipment).toBeUndefined();
  });
});
