/**
 * Random interleavings, against DynamoDB Local, of what happens to one order at peak: two
 * executions of the fulfilment workflow (Express is at-least-once), a cancel and an
 * address change, each repository call taking its turn as the schedule says. After every
 * schedule the invariants of ADR 0001 must hold.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inventoryView, type SkuStock } from '../../functions/domain/stock.ts';
import type { Order } from '../../functions/domain/order.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import type { CarrierGateway } from '../../functions/use-cases/ports.ts';
import { SandboxCarrier } from '../../functions/carriers/sandbox-carrier.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { cancelOrder } from '../../functions/use-cases/cancel-order.ts';
import { changeShippingAddress } from '../../functions/use-cases/change-shipping-address.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import { localDependencies, openedOrder } from '../support/dynamodb.ts';
import { runFulfilment, type ExecutionOutcome } from '../support/fulfilment-workflow.ts';
import { Interleaving } from '../support/interleaving.ts';
import { orderRequest } from '../fixtures/orders.ts';

const CHANNEL = orderRequest().channel;
const SHANGHAI = orderRequest().shipTo;
const BEIJING = { ...SHANGHAI, region: 'Beijing', city: 'Beijing', postalCode: '100000', line1: "1 Chang'an Avenue" };
/** No warehouse of the demo policy serves France. */
const PARIS = { ...SHANGHAI, country: 'FR', region: 'Paris', city: 'Paris', postalCode: '75001', line1: '1 Rue de Rivoli' };
const ADDRESSES = { SHANGHAI, BEIJING, PARIS };
type Address = keyof typeof ADDRESSES;
const WAREHOUSES = ['wh-shanghai', 'wh-beijing'];

/**
 * Schedules per `npm test`: a few hundred. Each is mostly waiting (DynamoDB Local, the
 * retry policy's backoff), so each property run plays several schedules at once, on
 * orders and SKUs of their own.
 */
const SCHEDULES_AT_ONCE = 15;
const RUNS = 20;

let deps: Dependencies;
let run = 0;

beforeAll(async () => {
  deps = await localDependencies('interleavings');
});

interface World {
  sku: string;
  orderId: string;
  /** The day every decision counts warehouse capacity on; a day of its own per schedule. */
  day: string;
  cancelled: string[];
}

async function world(units: number, shards: number, address: Address, carrier: CarrierGateway): Promise<World & { deps: Dependencies }> {
  const id = ++run;
  const sku = `MIX-${id}-${Date.now()}`;
  const day = new Date(Date.UTC(2040, 0, 1) + id * 86_400_000).toISOString().slice(0, 10);
  if (units > 0) await setOnHand(deps, sku, Object.fromEntries(WAREHOUSES.map((w) => [w, units])), shards);
  const ofRun: Dependencies = { ...deps, carrier, now: () => `${day}T09:00:00.000Z` };
  const { order } = await placeOrderOnce(ofRun, orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }], shipTo: ADDRESSES[address] }));
  return { sku, orderId: order.orderId, day, cancelled: [], deps: ofRun };
}

/** Records cancellations, so a cancelled carrier request under a live shipment shows. */
function recordingCarrier(cancelled: string[]): CarrierGateway {
  const sandbox = new SandboxCarrier();
  return {
    requestShipment: (request) => sandbox.requestShipment(request),
    cancelShipment: async (request) => void cancelled.push(request.parcelId),
  };
}

/** ADR 0001's invariants, on the order, its reservation, its stock and its capacity counts once every actor is done. */
async function expectInvariants(w: World, units: number, outcomes: ExecutionOutcome[]) {
  const order = (await openedOrder(deps, w.orderId)) as Order;
  const reservation = await deps.orders.getReservation(w.orderId);
  const stock = (await deps.stock.get(w.sku)) as SkuStock | undefined;

  // Nothing is stranded: every execution ended, none failed, and the order is final or holds its shipment.
  for (const outcome of outcomes) expect(['ShipmentRequested', 'Compensated']).toContain(outcome.endState);
  expect(['SHIPMENT_REQUESTED', 'CANCELLED', 'REJECTED']).toContain(order.status);

  // A refusal stands on the facts of the order as it ended: no route for its address, no stock.
  if (order.status === 'REJECTED') {
    expect(order.route).toBeUndefined();
    if (order.rejectionReason === 'NO_ROUTE') expect(order.shipTo).toEqual(PARIS);
    if (order.rejectionReason === 'OUT_OF_STOCK') expect(units).toBe(0);
  }
  // A shipment stands on a route for the address the order has, and no carrier request of it was cancelled.
  if (order.status === 'SHIPMENT_REQUESTED') {
    expect(order.shipTo).not.toEqual(PARIS);
    expect(order.route?.parcels.length).toBe(1);
    expect(w.cancelled).toEqual([]);
    expect(reservation).toMatchObject({ state: 'ALLOCATED', allocations: [{ sku: w.sku, quantity: 1 }] });
  } else {
    expect(reservation).toBeUndefined();
  }

  // Stock is exact: what the shards hold for orders is what this order's reservation holds.
  if (stock) {
    const view = inventoryView(stock);
    expect(view.onHand).toBe(units * WAREHOUSES.length);
    expect(view.reserved).toBe(reservation ? 1 : 0);
    for (const shard of stock.shards) {
      const free = Object.values(shard.warehouses).reduce((sum, w) => sum + w.free, 0);
      expect(shard.reserved).toBeGreaterThanOrEqual(0);
      expect(shard.available).toBe(free - shard.reserved);
    }
  }
  // Capacity counts one parcel for a standing shipment, none otherwise.
  const used = await deps.capacity.usedOn(w.day, WAREHOUSES);
  expect(Object.values(used).reduce((sum, parcels) => sum + parcels, 0)).toBe(order.status === 'SHIPMENT_REQUESTED' ? 1 : 0);
}

const schedule = fc.record({
  choices: fc.array(fc.nat({ max: 999 }), { minLength: 1, maxLength: 64 }),
  units: fc.constantFrom(0, 1, 1, 1),
  shards: fc.constantFrom(1, 2),
  address: fc.constantFrom<Address>('SHANGHAI', 'SHANGHAI', 'PARIS'),
  changeTo: fc.constantFrom<Address>('BEIJING', 'PARIS', 'SHANGHAI'),
  cancels: fc.boolean(),
});

type Schedule = typeof schedule extends fc.Arbitrary<infer S> ? S : never;

async function play({ choices, units, shards, address, changeTo, cancels }: Schedule) {
  const cancelled: string[] = [];
  const w = await world(units, shards, address, recordingCarrier(cancelled));
  let turn = 0;
  const interleaving = new Interleaving((count) => choices[turn++ % choices.length]! % count);
  const executions = Promise.all([
    interleaving.actor('execution-a', w.deps, (d) => runFulfilment(d, w.orderId)),
    interleaving.actor('execution-b', w.deps, (d) => runFulfilment(d, w.orderId)),
  ]);
  const channel = Promise.allSettled([
    interleaving.actor('address', w.deps, (d) => changeShippingAddress(d, { orderId: w.orderId, channel: CHANNEL, shipTo: ADDRESSES[changeTo] })),
    ...(cancels ? [interleaving.actor('cancel', w.deps, (d) => cancelOrder(d, { orderId: w.orderId, visibility: { channel: CHANNEL } }))] : []),
  ]);
  interleaving.begin();
  const outcomes = await executions;
  // The channel's own calls may be refused (409: shipped, no longer amendable); nothing else.
  for (const settled of await channel) {
    if (settled.status === 'rejected') expect(['IllegalTransition', 'OrderNotAmendable']).toContain((settled.reason as Error).name);
  }
  await expectInvariants({ ...w, cancelled }, units, outcomes);
}

describe('two executions, a cancel and an address change, interleaved', () => {
  it(`keep ADR 0001's invariants over ${RUNS * SCHEDULES_AT_ONCE} random schedules`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(schedule, { minLength: SCHEDULES_AT_ONCE, maxLength: SCHEDULES_AT_ONCE }), async (schedules) => {
        await Promise.all(schedules.map(play));
      }),
      { numRuns: RUNS },
    );
    // Each schedule plays some 40 calls one at a time through the workflow interpreter: minutes on a busy machine.
  }, 600_000);
});
