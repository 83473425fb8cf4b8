/**
 * The fulfilment steps against DynamoDB Local: real conditional writes and
 * transactions, so oversell and double-processing would show up here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { homeShard, inventoryView, type SkuStock } from '../../functions/domain/stock.ts';
import { IllegalTransition, OrderCancelled, OutOfStock } from '../../functions/domain/errors.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { cancelOrder } from '../../functions/use-cases/cancel-order.ts';
import { closeOrder } from '../../functions/use-cases/close-order.ts';
import { lockStock, releaseStock } from '../../functions/use-cases/lock-stock.ts';
import { cancelShipment, requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { releaseAllocation, routeOrder } from '../../functions/use-cases/route-order.ts';
import { localDependencies } from '../support/dynamodb.ts';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { adjustInventory, rebalance, setOnHand } from '../../functions/use-cases/inventory.ts';

let deps: Dependencies;
let skuCounter = 0;

beforeAll(async () => {
  deps = await localDependencies('fulfilment');
});

async function stockedSku(warehouses: Record<string, number>, shards?: number): Promise<string> {
  const sku = `SKU-${++skuCounter}-${Date.now()}`;
  await setOnHand(deps, sku, warehouses, shards);
  return sku;
}

async function shardsOf(sku: string): Promise<SkuStock> {
  const stock = await deps.stock.get(sku);
  if (!stock) throw new Error(`no stock for ${sku}`);
  return stock;
}

/** Per shard: no counter below zero and available = sum(free) - reserved. */
function expectConsistentShards(stock: SkuStock) {
  for (const shard of stock.shards) {
    const free = Object.values(shard.warehouses).reduce((sum, w) => sum + w.free, 0);
    expect(shard.available, `shard ${shard.shard}`).toBeGreaterThanOrEqual(0);
    expect(shard.reserved, `shard ${shard.shard}`).toBeGreaterThanOrEqual(0);
    expect(shard.available, `shard ${shard.shard}`).toBe(free - shard.reserved);
    for (const w of Object.values(shard.warehouses)) expect(w.onHand).toBeGreaterThanOrEqual(w.free);
  }
}

async function view(sku: string) {
  const stock = await deps.stock.get(sku);
  if (!stock) throw new Error(`no stock for ${sku}`);
  return inventoryView(stock);
}

/** The channel the fixture's orders belong to. */
const CHANNEL = orderRequest().channel;

async function place(sku: string, quantity: number) {
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity, unitPrice: 500 }] }));
  return order.orderId;
}

describe('forward steps', () => {
  it('locks, routes under the saved policy and requests the shipment, moving stock from promise to a warehouse', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const orderId = await place(sku, 3);

    await lockStock(deps, orderId);
    expect(await view(sku)).toMatchObject({ availableToPromise: 10, reserved: 3, onHand: 13 });

    // The order ships to Shanghai: the Shanghai warehouse is nearest, cheapest and greenest.
    const route = await routeOrder(deps, orderId);
    expect(route.parcels.map((parcel) => parcel.warehouseId)).toEqual(['wh-shanghai']);
    expect(route.policyVersion).toBe(1);
    const routed = await view(sku);
    expect(routed.warehouses['wh-shanghai']).toEqual({ onHand: 5, reserved: 3, available: 2 });
    expect(routed).toMatchObject({ availableToPromise: 10, reserved: 3 });

    const shipment = await requestShipment(deps, orderId);
    expect(shipment.parcels).toEqual([
      { parcelId: `${orderId}-1`, warehouseId: 'wh-shanghai', carrier: expect.any(String), trackingNumber: expect.stringMatching(/^SBX[0-9A-F]{12}$/) },
    ]);
    const order = await deps.orders.get(orderId);
    expect(order?.route?.explanation.candidates.length).toBeGreaterThan(1);
    expect(order?.status).toBe('SHIPMENT_REQUESTED');
    expect(order?.version).toBe(4);
    expect(order?.history.map((entry) => entry.to)).toEqual(['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED']);
  });

  it('changes nothing when a step runs again (at-least-once executions)', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 10 });
    const orderId = await place(sku, 4);
    for (const step of [lockStock, lockStock, routeOrder, lockStock, routeOrder, requestShipment, requestShipment]) {
      await step(deps, orderId);
    }
    expect(await view(sku)).toMatchObject({ availableToPromise: 6, reserved: 4, onHand: 10 });
    expect((await deps.orders.get(orderId))?.version).toBe(4);
  });

  it('refuses to lock more than is available, writing nothing', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 2 });
    const orderId = await place(sku, 3);
    await expect(lockStock(deps, orderId)).rejects.toBeInstanceOf(OutOfStock);
    expect(await view(sku)).toMatchObject({ availableToPromise: 2, reserved: 0 });
    expect((await deps.orders.get(orderId))?.status).toBe('PLACED');
    expect(await deps.orders.getReservation(orderId)).toBeUndefined();
  });

  it('locks all lines or none', async () => {
    const plenty = await stockedSku({ 'wh-shanghai': 10 });
    const scarce = await stockedSku({ 'wh-shanghai': 1 });
    const { order } = await placeOrderOnce(
      deps,
      orderRequest({ lines: [{ sku: plenty, quantity: 2, unitPrice: 1 }, { sku: scarce, quantity: 2, unitPrice: 1 }] }),
    );
    const error = await lockStock(deps, order.orderId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutOfStock);
    expect((error as OutOfStock).skus).toEqual([scarce]);
    expect((await view(plenty)).availableToPromise).toBe(10);
  });

  it('never oversells: 50 orders racing for 10 units lock exactly 10', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 6, 'wh-beijing': 4 });
    const orderIds = await Promise.all(Array.from({ length: 50 }, () => place(sku, 1)));
    const outcomes = await Promise.allSettled(orderIds.map((orderId) => lockStock(deps, orderId)));
    const locked = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(locked).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(refused.every((reason) => reason instanceof OutOfStock)).toBe(true);
    expect(await view(sku)).toMatchObject({ availableToPromise: 0, reserved: 10, onHand: 10 });
  });
});

describe('hot SKU counter shards', () => {
  it('never oversells: 60 orders racing for 20 units over 4 shards, while the SKU is resharded and stock received', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 12, 'wh-beijing': 8 }, 4);
    const orderIds = await Promise.all(Array.from({ length: 60 }, () => place(sku, 1)));
    const [outcomes] = await Promise.all([
      Promise.allSettled(orderIds.map((orderId) => lockStock(deps, orderId))),
      rebalance(deps, sku, 6),
      adjustInventory(deps, sku, { warehouseId: 'wh-beijing', delta: 5 }),
    ]);
    const locked = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refused.every((reason) => reason instanceof OutOfStock)).toBe(true);
    // 20 units were there from the start; the 5 received may arrive after the last order tried.
    expect(locked).toBeGreaterThanOrEqual(20);
    expect(locked).toBeLessThanOrEqual(25);
    const stock = await shardsOf(sku);
    expect(stock.shardCount).toBe(6);
    expectConsistentShards(stock);
    expect(inventoryView(stock)).toMatchObject({ onHand: 25, reserved: locked, availableToPromise: 25 - locked });
  });

  it('allocates across shards when the lock\'s shard lacks the chosen warehouse, and compensation restores every shard', async () => {
    // Two shards: the Beijing unit lands in shard 0, the Shanghai unit in shard 1.
    const sku = await stockedSku({ 'wh-shanghai': 1, 'wh-beijing': 1 }, 2);
    const before = await shardsOf(sku);
    expect(before.shards.map((shard) => Object.keys(shard.warehouses).filter((w) => shard.warehouses[w]!.free > 0))).toEqual([
      ['wh-beijing'],
      ['wh-shanghai'],
    ]);
    // An order (shipping to Shanghai) whose home shard is 0, the one without Shanghai stock.
    let orderId = await place(sku, 1);
    while (homeShard(orderId, 2) !== 0) orderId = await place(sku, 1);

    await lockStock(deps, orderId);
    expect((await deps.orders.getReservation(orderId))).toMatchObject({ state: 'LOCKED', locks: [{ sku, shard: 0, quantity: 1 }] });
    const route = await routeOrder(deps, orderId);
    expect(route.parcels.map((parcel) => parcel.warehouseId)).toEqual(['wh-shanghai']);
    expect(await deps.orders.getReservation(orderId)).toMatchObject({
      state: 'ALLOCATED',
      allocations: [{ sku, shard: 1, warehouseId: 'wh-shanghai', quantity: 1 }],
    });
    const routed = await shardsOf(sku);
    expectConsistentShards(routed);
    // Shard 0's lock became available again; shard 1 paid for the Shanghai unit.
    expect(routed.shards.map((shard) => [shard.available, shard.reserved])).toEqual([
      [1, 0],
      [0, 0],
    ]);

    await releaseAllocation(deps, orderId);
    await releaseAllocation(deps, orderId);
    expect(await deps.orders.getReservation(orderId)).toMatchObject({ state: 'LOCKED', locks: [{ sku, shard: 1, quantity: 1 }] });
    await releaseStock(deps, orderId);
    await releaseStock(deps, orderId);
    expect(await shardsOf(sku)).toEqual(before);
  });
});

describe('warehouse capacity', () => {
  it('counts a parcel per warehouse per day, excludes a full warehouse, and frees the slot on cancel', async () => {
    // A copy of the demo policy where Shanghai can dispatch one parcel a day.
    const document = structuredClone(DEMO_ROUTING_POLICY);
    document.warehouses = document.warehouses.map((w) => (w.id === 'wh-shanghai' ? { ...w, dailyCapacity: 1 } : w));
    const tight: Dependencies = { ...deps, routingPolicy: async () => ({ version: 99, document, updatedAt: '2026-01-01T00:00:00Z' }) };
    // A fresh day, so counters from other tests do not interfere.
    const day = `2031-0${1 + (Date.now() % 9)}-1${Date.now() % 10}`;
    tight.now = () => `${day}T09:00:00.000Z`;
    const sku = await stockedSku({ 'wh-shanghai': 5, 'wh-guangzhou': 5 });

    const first = await place(sku, 1);
    await lockStock(tight, first);
    expect((await routeOrder(tight, first)).parcels.map((p) => p.warehouseId)).toEqual(['wh-shanghai']);
    expect(await tight.capacity.usedOn(day, ['wh-shanghai', 'wh-guangzhou'])).toEqual({ 'wh-shanghai': 1, 'wh-guangzhou': 0 });
    await routeOrder(tight, first); // a retried step counts nothing more
    expect((await tight.capacity.usedOn(day, ['wh-shanghai']))['wh-shanghai']).toBe(1);

    const second = await place(sku, 1);
    await lockStock(tight, second);
    expect((await routeOrder(tight, second)).parcels.map((p) => p.warehouseId)).toEqual(['wh-guangzhou']);
    const explained = (await tight.orders.get(second))?.route?.explanation.candidates ?? [];
    expect(explained.find((c) => c.excluded?.reason === 'capacity')?.warehouseIds).toEqual(['wh-shanghai']);

    await cancelOrder(tight, { orderId: first, visibility: { channel: CHANNEL } });
    expect(await tight.capacity.usedOn(day, ['wh-shanghai', 'wh-guangzhou'])).toEqual({ 'wh-shanghai': 0, 'wh-guangzhou': 1 });
    const third = await place(sku, 1);
    await lockStock(tight, third);
    expect((await routeOrder(tight, third)).parcels.map((p) => p.warehouseId)).toEqual(['wh-shanghai']);
  });
});

describe('cancel', () => {
  it('gives locked stock back in the same write and stops the workflow at its next step', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const orderId = await place(sku, 2);
    await lockStock(deps, orderId);
    const cancelled = await cancelOrder(deps, { orderId, visibility: { channel: CHANNEL }, reasonCode: 'CUSTOMER_REQUEST', note: 'customer changed their mind' });
    expect(cancelled.status).toBe('CANCELLED');
    expect(await view(sku)).toMatchObject({ availableToPromise: 5, reserved: 0 });
    await expect(routeOrder(deps, orderId)).rejects.toBeInstanceOf(OrderCancelled);
  });

  it('gives allocated stock back to the warehouse and to available-to-promise', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const orderId = await place(sku, 2);
    await lockStock(deps, orderId);
    await routeOrder(deps, orderId);
    await cancelOrder(deps, { orderId, visibility: { channel: CHANNEL } });
    await cancelOrder(deps, { orderId, visibility: { channel: CHANNEL } });
    const after = await view(sku);
    expect(after).toMatchObject({ availableToPromise: 5, reserved: 0 });
    expect(after.warehouses['wh-shanghai']).toEqual({ onHand: 5, reserved: 0, available: 5 });
  });

  it('is refused once the shipment is requested', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const orderId = await place(sku, 1);
    for (const step of [lockStock, routeOrder, requestShipment]) await step(deps, orderId);
    await expect(cancelOrder(deps, { orderId, visibility: { channel: CHANNEL } })).rejects.toBeInstanceOf(IllegalTransition);
  });
});

describe('compensation', () => {
  it('undoes allocation then lock, and closes the order as FAILED', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const orderId = await place(sku, 2);
    await lockStock(deps, orderId);
    await routeOrder(deps, orderId);

    expect(await cancelShipment(deps, orderId)).toEqual({ orderId, undone: true });
    expect(await releaseAllocation(deps, orderId)).toEqual({ orderId, undone: true });
    expect(await view(sku)).toMatchObject({ availableToPromise: 3, reserved: 2 });
    expect(await releaseStock(deps, orderId)).toEqual({ orderId, undone: true });
    expect(await view(sku)).toMatchObject({ availableToPromise: 5, reserved: 0 });
    // Compensation runs again after a retry: nothing left to undo, nothing changes.
    expect(await releaseAllocation(deps, orderId)).toEqual({ orderId, undone: false });
    expect(await releaseStock(deps, orderId)).toEqual({ orderId, undone: false });

    const closed = await closeOrder(deps, { orderId, failedStep: 'RequestShipment', error: { Error: 'TransientError' } });
    expect(closed.status).toBe('FAILED');
    expect((await deps.orders.get(orderId))?.failureReason).toBe('RequestShipment: TransientError');
  });

  it('cancels every parcel the route planned with its carrier, by parcel id', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const orderId = await place(sku, 1);
    await lockStock(deps, orderId);
    const { parcels } = await routeOrder(deps, orderId);
    const cancelled: unknown[] = [];
    const carrier: Dependencies['carrier'] = {
      requestShipment: () => Promise.reject(new Error('compensation must not request a shipment')),
      cancelShipment: async (request) => void cancelled.push(request),
    };
    expect(await cancelShipment({ ...deps, carrier }, orderId)).toEqual({ orderId, undone: true });
    expect(cancelled).toEqual(parcels.map((parcel, i) => ({ orderId, parcelId: `${orderId}-${i + 1}`, carrier: parcel.carrier })));
  });

  it('keeps the routing explanation on an order nothing can serve', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 5 });
    const { order } = await placeOrderOnce(
      deps,
      orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 1 }], shipTo: { ...orderRequest().shipTo, country: 'FR', region: 'Paris', city: 'Paris' } }),
    );
    await lockStock(deps, order.orderId);
    await expect(routeOrder(deps, order.orderId)).rejects.toMatchObject({ name: 'NoRoute' });
    await releaseStock(deps, order.orderId);
    await closeOrder(deps, { orderId: order.orderId, failedStep: 'RouteOrder', error: { Error: 'NoRoute' } });
    const rejected = await deps.orders.get(order.orderId);
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'NO_ROUTE', version: 3 });
    expect(rejected?.routingExplanation?.policyVersion).toBe(1);
    expect(rejected?.routingExplanation?.candidates.every((candidate) => candidate.excluded?.reason === 'destination')).toBe(true);
    expect(await view(sku)).toMatchObject({ availableToPromise: 5, reserved: 0 });
  });

  it('closes a business refusal as REJECTED with its reason', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 1 });
    const orderId = await place(sku, 2);
    await expect(lockStock(deps, orderId)).rejects.toBeInstanceOf(OutOfStock);
    await releaseStock(deps, orderId);
    const closed = await closeOrder(deps, { orderId, failedStep: 'LockStock', error: { Error: 'OutOfStock' } });
    expect(closed.status).toBe('REJECTED');
    expect((await deps.orders.get(orderId))?.rejectionReason).toBe('OUT_OF_STOCK');
  });

  it('leaves an order that holds a shipment alone (a late duplicate execution)', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 3 });
    const orderId = await place(sku, 1);
    for (const step of [lockStock, routeOrder, requestShipment]) await step(deps, orderId);
    expect(await cancelShipment(deps, orderId)).toEqual({ orderId, undone: false });
    expect(await releaseAllocation(deps, orderId)).toEqual({ orderId, undone: false });
    expect(await releaseStock(deps, orderId)).toEqual({ orderId, undone: false });
    const closed = await closeOrder(deps, { orderId, failedStep: 'RequestShipment', error: { Error: 'TransientError' } });
    expect(closed.status).toBe('SHIPMENT_REQUESTED');
    expect(await view(sku)).toMatchObject({ availableToPromise: 2, reserved: 1 });
  });

  it('leaves a cancelled order CANCELLED', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 3 });
    const orderId = await place(sku, 1);
    await lockStock(deps, orderId);
    await cancelOrder(deps, { orderId, visibility: { channel: CHANNEL } });
    const closed = await closeOrder(deps, { orderId, failedStep: 'RouteOrder', error: { Error: 'OrderCancelled' } });
    expect(closed.status).toBe('CANCELLED');
  });
});

describe('inventory', () => {
  it('keeps reservations made in flight when on-hand is replaced', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 10 });
    const orderId = await place(sku, 3);
    await lockStock(deps, orderId);
    const updated = await setOnHand(deps, sku, { 'wh-shanghai': 5, 'wh-beijing': 2 });
    expect(inventoryView(updated)).toMatchObject({ onHand: 7, reserved: 3, availableToPromise: 4 });
  });

  it('refuses on-hand below what is promised to orders', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 4 });
    const orderId = await place(sku, 3);
    await lockStock(deps, orderId);
    await routeOrder(deps, orderId);
    await expect(setOnHand(deps, sku, { 'wh-shanghai': 2 })).rejects.toMatchObject({ name: 'InventoryConflict' });
    expect((await view(sku)).onHand).toBe(4);
  });

  it('loses no reservation when counts are replaced while orders lock concurrently', async () => {
    const sku = await stockedSku({ 'wh-shanghai': 100 });
    const orderIds = await Promise.all(Array.from({ length: 20 }, () => place(sku, 2)));
    await Promise.all([
      ...orderIds.map((orderId) => lockStock(deps, orderId)),
      setOnHand(deps, sku, { 'wh-shanghai': 100, 'wh-beijing': 50 }),
      setOnHand(deps, sku, { 'wh-shanghai': 90, 'wh-beijing': 50 }),
    ]);
    const after = await view(sku);
    expect(after.reserved).toBe(40);
    expect(after.availableToPromise).toBe(after.onHand - 40);
  });
});
