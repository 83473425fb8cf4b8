/**
 * Self-healing against DynamoDB Local with the real fulfilment definition run by the real ASL
 * interpreter and the real steps: an order whose execution died in each in-flight status is
 * found through the `byInFlightSince` index, re-driven, and moved on from where it stands (or, after
 * the last re-drive allowed, compensated and closed as FAILED), with stock exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINES, type DeadlineSettings } from '../../functions/domain/deadlines.ts';
import { timelineOf } from '../../functions/domain/events.ts';
import type { OrderStatus } from '../../functions/domain/order.ts';
import { inventoryView } from '../../functions/domain/stock.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import { InFlightIndex } from '../../functions/store/in-flight-index.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { reconcileOverdueOrders, type ReconcileDependencies } from '../../functions/use-cases/reconcile-overdue-orders.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localDependencies, localDynamoDbClient } from '../support/dynamodb.ts';
import { runFulfilment } from '../support/fulfilment-workflow.ts';

let deps: Dependencies;
let inFlight: InFlightIndex;
let skuCounter = 0;

beforeAll(async () => {
  deps = await localDependencies('reconcile');
  // The same table, read through the reconciler's index.
  inFlight = new InFlightIndex(createDocumentClient(localDynamoDbClient()), (deps.orders as unknown as { tableName: string }).tableName);
});

interface Started {
  orderId: string;
  attempt: number;
  tasks: string[];
}

function reconciler(now: string, settings: DeadlineSettings = DEFAULT_DEADLINES, orders: ReconcileDependencies['orders'] = deps.orders) {
  const started: Started[] = [];
  const reconcileDeps: ReconcileDependencies = {
    orders,
    inFlight,
    fulfilment: {
      async start(orderId, attempt) {
        const run: Started = { orderId, attempt, tasks: [] };
        started.push(run);
        // The re-drive's input has the OrderPlaced shape the workflow reads (functions/reconciler/fulfilment-executions.ts).
        run.tasks.push(...(await runFulfilment(deps, orderId)).tasks);
      },
    },
    now: () => now,
    settings,
  };
  return { run: () => reconcileOverdueOrders(reconcileDeps), started };
}

// --- orders stranded in each status -----------------------------------------------------------

async function stockedSku(onHand: number): Promise<string> {
  const sku = `HEAL-${++skuCounter}-${Date.now()}`;
  await setOnHand(deps, sku, { 'wh-shanghai': onHand });
  return sku;
}

async function view(sku: string) {
  return inventoryView((await deps.stock.get(sku))!);
}

/** An order whose execution died once it reached `status` (the steps ran, then nothing). */
async function strandedIn(status: OrderStatus, sku: string): Promise<string> {
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 500 }] }));
  if (status !== 'PLACED') await lockStock(deps, order.orderId);
  if (status === 'ROUTED') await routeOrder(deps, order.orderId);
  expect((await deps.orders.get(order.orderId))?.status).toBe(status);
  return order.orderId;
}

/** A time past every deadline of an order placed just now. */
const later = (minutes = 10) => new Date(Date.now() + minutes * 60_000).toISOString();

const IN_FLIGHT = ['PLACED', 'STOCK_LOCKED', 'ROUTED'] as const;
/** The first task a re-driven execution does work in (earlier ones find the order past them). */
const RESUMES_AT: Record<(typeof IN_FLIGHT)[number], string> = {
  PLACED: 'LockStock',
  STOCK_LOCKED: 'RouteOrder',
  ROUTED: 'RequestShipment',
};

describe('an order stranded in flight', () => {
  it.each(IN_FLIGHT)('in %s is re-driven once and resumes from where it stands to SHIPMENT_REQUESTED, stock exact', async (status) => {
    const sku = await stockedSku(10);
    const orderId = await strandedIn(status, sku);
    const { run, started } = reconciler(later());

    const report = await run();

    const mine = started.filter((s) => s.orderId === orderId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.attempt).toBe(1);
    expect(report.redriven).toBeGreaterThanOrEqual(1);
    const order = (await deps.orders.get(orderId))!;
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    // Steps before the resume point found the order past them and wrote nothing.
    expect(mine[0]!.tasks).toContain(RESUMES_AT[status]);
    expect(mine[0]!.tasks).not.toContain('ReleaseStock');
    // The re-drive is on the timeline, as its own event, in the status it was stranded in.
    const redriven = timelineOf(order).filter((entry) => entry.amendment === 'FULFILMENT_REDRIVEN');
    expect(redriven).toEqual([expect.objectContaining({ from: status, to: status, event: expect.objectContaining({ detailType: 'OrderFulfilmentRedriven' }) })]);
    // Two units allocated in the warehouse, eight still promised, none lost or doubled.
    expect(await view(sku)).toMatchObject({ onHand: 10, reserved: 2, availableToPromise: 8 });
    // Out of flight: the index no longer lists it.
    const due: string[] = [];
    for await (const id of inFlight.inFlightSince(later(60))) due.push(id);
    expect(due).not.toContain(orderId);
  });

  it.each(IN_FLIGHT)('in %s after the last re-drive allowed is compensated from its own step and closed as FAILED, stock released', async (status) => {
    const sku = await stockedSku(10);
    const orderId = await strandedIn(status, sku);
    const { run, started } = reconciler(later(), { ...DEFAULT_DEADLINES, maxRedrives: 0 });

    const report = await run();

    expect(report.givenUp).toBeGreaterThanOrEqual(1);
    const order = (await deps.orders.get(orderId))!;
    expect(order).toMatchObject({ status: 'FAILED', failureReason: `${RESUMES_AT[status]}: Stranded` });
    const tasks = started.find((s) => s.orderId === orderId)!.tasks;
    expect(tasks.at(-1)).toBe('CloseOrder');
    expect(await view(sku)).toMatchObject({ onHand: 10, reserved: 0, availableToPromise: 10 });
  });

  it('is left alone until its deadline, and a healthy order never shows up at all', async () => {
    const sku = await stockedSku(10);
    const stuck = await strandedIn('STOCK_LOCKED', sku);
    const healthy = await strandedIn('PLACED', sku);
    await lockStock(deps, healthy);
    await routeOrder(deps, healthy);
    await requestShipment(deps, healthy);
    // Past PLACED's two minutes but within STOCK_LOCKED's five.
    const { run, started } = reconciler(later(3));

    await run();

    expect(started.map((s) => s.orderId)).not.toContain(stuck);
    expect(started.map((s) => s.orderId)).not.toContain(healthy);
    expect((await deps.orders.get(stuck))?.fulfilmentRedrives).toBeUndefined();
  });

  it('is re-driven once when two reconcilers read it before either writes', async () => {
    const sku = await stockedSku(10);
    const orderId = await strandedIn('ROUTED', sku);
    const now = later();
    // Both reconcilers read the stranded order, then both try to re-drive it.
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const orders: ReconcileDependencies['orders'] = {
      get: async (id) => {
        const order = await deps.orders.get(id);
        if (id === orderId && ++arrived === 2) release();
        if (id === orderId) await bothRead;
        return order;
      },
      getReservation: (id) => deps.orders.getReservation(id),
      commit: (change) => deps.orders.commit(change),
    };
    const first = reconciler(now, DEFAULT_DEADLINES, orders);
    const second = reconciler(now, DEFAULT_DEADLINES, orders);

    const reports = await Promise.all([first.run(), second.run()]);

    const starts = [...first.started, ...second.started].filter((s) => s.orderId === orderId);
    expect(starts).toHaveLength(1);
    // The loser found the order changed under it (other stranded orders of this table may add to the count).
    expect(reports.reduce((sum, r) => sum + r.skipped, 0)).toBeGreaterThanOrEqual(1);
    expect((await deps.orders.get(orderId))?.fulfilmentRedrives).toEqual({ count: 1 });
    expect(await view(sku)).toMatchObject({ reserved: 2, availableToPromise: 8 });
  });
});
