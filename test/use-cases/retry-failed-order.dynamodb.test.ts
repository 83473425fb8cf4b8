/**
 * An operator's retry of a FAILED order against DynamoDB Local, with the real fulfilment
 * definition: an order failed by a carrier that refused every request (compensated, stock given
 * back) goes back to PLACED under a guarded write, and the execution the retry starts fulfils it
 * from the stock lock with stock exact. Two retries racing start one execution; a REJECTED order
 * stays refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SandboxCarrier } from '../../functions/carriers/sandbox-carrier.ts';
import { NotRetryable } from '../../functions/domain/errors.ts';
import type { Actor } from '../../functions/domain/order.ts';
import { inventoryView } from '../../functions/domain/stock.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import { retryOrder } from '../../functions/use-cases/operator-actions.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { FAILED_AND_RETRIED } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localDependencies } from '../support/dynamodb.ts';
import { runFulfilment } from '../support/fulfilment-workflow.ts';

const SUPPORT: Actor = { kind: 'operator', id: 'ops-support' };
let deps: Dependencies;
let skuCounter = 0;

beforeAll(async () => {
  deps = await localDependencies('retry-failed');
});

/** A SKU of its own with `onHand` units at one warehouse, and a look at its counters. */
const stockedSku = (onHand: number) => setOnHand(deps, `RETRY-${++skuCounter}-${Date.now()}`, { 'wh-shanghai': onHand }).then((stock) => stock.sku);
const view = async (sku: string) => inventoryView((await deps.stock.get(sku))!);

/** An order failed at its shipment request by a carrier refusing everything, compensated by the real workflow. */
async function failedOrder(sku: string): Promise<string> {
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 500 }] }));
  const refusing = { ...deps, carrier: new SandboxCarrier({ failureRate: 1 }) };
  expect((await runFulfilment(refusing, order.orderId)).endState).toBe('FulfilmentFailed');
  expect(await deps.orders.get(order.orderId)).toMatchObject({ status: 'FAILED', failureReason: 'RequestShipment: TransientError' });
  return order.orderId;
}

/** The dependencies of a retry, recording the executions it starts (each runs the real workflow). */
function retrying() {
  const started: Array<{ orderId: string; attempt: number; endState?: string }> = [];
  const retryDeps: Dependencies = {
    ...deps,
    fulfilment: {
      async start(orderId, attempt) {
        const run: (typeof started)[number] = { orderId, attempt };
        started.push(run);
        run.endState = (await runFulfilment(deps, orderId)).endState;
      },
    },
  };
  return { retryDeps, started };
}

describe("an operator's retry of a FAILED order", () => {
  it('fulfils it again from the stock lock, with stock exact and the retry on the timeline', async () => {
    const sku = await stockedSku(10);
    const orderId = await failedOrder(sku);
    expect(await view(sku)).toMatchObject({ onHand: 10, reserved: 0, availableToPromise: 10 });

    const { retryDeps, started } = retrying();
    const retried = await retryOrder(retryDeps, orderId, SUPPORT);
    expect(retried).toMatchObject({ status: 'PLACED', fulfilmentRedrives: { count: 1 } });
    expect(started).toEqual([{ orderId, attempt: 1, endState: 'ShipmentRequested' }]);

    const order = (await deps.orders.get(orderId))!;
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    expect(order.failureReason).toBeUndefined();
    expect(order.history.map((entry) => entry.amendment ?? entry.to)).toEqual(FAILED_AND_RETRIED);
    expect(order.history[4]).toMatchObject({ from: 'FAILED', to: 'PLACED', by: SUPPORT });
    expect(await view(sku)).toMatchObject({ onHand: 10, reserved: 2, availableToPromise: 8 });
  });

  it('starts one execution for two retries racing: the guarded write is the lease', async () => {
    const sku = await stockedSku(10);
    const orderId = await failedOrder(sku);
    const { retryDeps, started } = retrying();
    // The loser's write fails on the version; it reads again and finds the order in flight and on time.
    const outcomes = await Promise.allSettled([retryOrder(retryDeps, orderId, SUPPORT), retryOrder(retryDeps, orderId, SUPPORT)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(NotRetryable);
    expect(started.map(({ attempt }) => attempt)).toEqual([1]);
    expect((await deps.orders.get(orderId))?.history.filter((entry) => entry.amendment === 'FULFILMENT_REDRIVEN')).toHaveLength(1);
    expect(await view(sku)).toMatchObject({ onHand: 10, reserved: 2, availableToPromise: 8 });
  });

  it('refuses a REJECTED order with why, and starts nothing', async () => {
    const sku = await stockedSku(1);
    const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 500 }] }));
    await runFulfilment(deps, order.orderId);
    expect((await deps.orders.get(order.orderId))?.status).toBe('REJECTED');
    const { retryDeps, started } = retrying();
    await expect(retryOrder(retryDeps, order.orderId, SUPPORT)).rejects.toThrow(/rejected \(OUT_OF_STOCK\): a business refusal/);
    expect(started).toEqual([]);
    expect((await deps.orders.get(order.orderId))?.status).toBe('REJECTED');
  });
});
