/**
 * Returns against DynamoDB Local's real conditional writes and transactions: requests racing for
 * the last units never return more than was delivered; an inspection retried concurrently puts
 * the sellable units back on hand exactly once; keyed repeats answer the same return; carrier
 * callbacks move the return once whatever the carrier repeats.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflict, ReturnNotAllowed, ReturnNotFound } from '../../functions/domain/errors.ts';
import { inventoryView } from '../../functions/domain/stock.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { recordCarrierEvent } from '../../functions/use-cases/carrier-events.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import {
  approveOrderReturn,
  cancelOrderReturn,
  inspectOrderReturn,
  recordRefund,
  rejectOrderReturn,
  requestOrderReturn,
  saveReturnPolicy,
} from '../../functions/use-cases/returns.ts';
import { localDependencies } from '../support/dynamodb.ts';
import { orderRequest } from '../fixtures/orders.ts';

const CHANNEL = orderRequest().channel;
const CHANNEL_ACTOR = { kind: 'channel' as const, id: 'web-shop-client' };
const OPERATOR = { kind: 'operator' as const, id: 'support-1' };

let deps: Dependencies;
let counter = 0;

beforeAll(async () => {
  deps = await localDependencies('returns');
  await saveReturnPolicy(deps, { windowDays: 30, nonReturnable: { skus: [], attributes: ['hazmat'] }, autoApprove: [{ reasonCodes: ['DEFECTIVE'], tiers: ['plus'] }] }, undefined);
});

/** An order of `quantity` units of a fresh SKU stocked with 10 at wh-shanghai, delivered through signed-callback use cases. */
async function deliveredOrder(quantity: number) {
  const sku = `RET-${++counter}-${Date.now()}`;
  await setOnHand(deps, sku, { 'wh-shanghai': 10 });
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity, unitPrice: 1500 }] }));
  await lockStock(deps, order.orderId);
  await routeOrder(deps, order.orderId);
  await requestShipment(deps, order.orderId);
  const shipped = (await deps.orders.get(order.orderId))!;
  const { carrier, trackingNumber } = shipped.shipment!.parcels[0]!;
  const occurredAt = new Date().toISOString();
  await recordCarrierEvent(deps, carrier, { eventId: `${order.orderId}-pu`, trackingNumber, status: 'picked_up', occurredAt });
  await recordCarrierEvent(deps, carrier, { eventId: `${order.orderId}-dl`, trackingNumber, status: 'delivered', occurredAt });
  expect((await deps.orders.get(order.orderId))!.status).toBe('DELIVERED');
  return { sku, orderId: order.orderId };
}

const ask = (orderId: string, sku: string, quantity: number, reasonCode: 'DEFECTIVE' | 'CHANGED_MIND' = 'CHANGED_MIND', idempotencyKey?: string) =>
  requestOrderReturn(deps, {
    orderId,
    channel: CHANNEL,
    request: { lines: [{ sku, quantity }], reasonCode },
    by: CHANNEL_ACTOR,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });

const onHand = async (sku: string) => inventoryView((await deps.stock.get(sku))!).warehouses['wh-shanghai']!;

describe('returns on DynamoDB', () => {
  it('never returns more units than were delivered when requests race for them', async () => {
    const { sku, orderId } = await deliveredOrder(3);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => ask(orderId, sku, 1)));
    const created = results.filter((result) => result.status === 'fulfilled');
    expect(created).toHaveLength(3);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ReturnNotAllowed);
    expect((await deps.returns.ledger(orderId)).returned).toEqual({ [sku]: 3 });
    expect(await deps.returns.listOfOrder(orderId)).toHaveLength(3);

    // A rejected return gives its unit back: it can be returned again, once.
    const first = (created[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof ask>>>).value.return;
    expect((await rejectOrderReturn(deps, first.returnId, OPERATOR)).status).toBe('REJECTED');
    expect((await rejectOrderReturn(deps, first.returnId, OPERATOR)).version).toBe(2);
    expect((await ask(orderId, sku, 1)).created).toBe(true);
    await expect(ask(orderId, sku, 1)).rejects.toBeInstanceOf(ReturnNotAllowed);
  });

  it('answers a keyed repeat with the same return, and the same key with another request with a conflict', async () => {
    const { sku, orderId } = await deliveredOrder(2);
    const first = await ask(orderId, sku, 2, 'CHANGED_MIND', 'ret-key-1');
    const again = await ask(orderId, sku, 2, 'CHANGED_MIND', 'ret-key-1');
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, return: { returnId: first.return.returnId } });
    await expect(ask(orderId, sku, 1, 'CHANGED_MIND', 'ret-key-1')).rejects.toBeInstanceOf(IdempotencyConflict);
    expect(await deps.returns.listOfOrder(orderId)).toHaveLength(1);
  });

  it('restocks exactly once under concurrent inspection retries, then refunds once', async () => {
    const { sku, orderId } = await deliveredOrder(3);
    const before = await onHand(sku);
    const { return: labelled } = await ask(orderId, sku, 3, 'DEFECTIVE');
    expect(labelled).toMatchObject({ status: 'LABEL_ISSUED', label: { warehouseId: 'wh-shanghai' } });
    const { carrier, trackingNumber } = labelled.label!;
    const scan = (eventId: string, status: 'picked_up' | 'delivered') =>
      recordCarrierEvent(deps, carrier, { eventId, trackingNumber, status, occurredAt: new Date().toISOString() });
    expect(await scan('r-pu', 'picked_up')).toMatchObject({ outcome: 'applied', returnStatus: 'IN_TRANSIT', returnId: labelled.returnId });
    const delivered = await Promise.all([scan('r-dl', 'delivered'), scan('r-dl', 'delivered'), scan('r-pu', 'picked_up')]);
    expect(delivered.map((result) => result.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect((await deps.returns.get(labelled.returnId))!.status).toBe('RECEIVED');

    const inspection = [{ sku, sellable: 2, damaged: 1 }];
    const retries = await Promise.allSettled(Array.from({ length: 5 }, () => inspectOrderReturn(deps, labelled.returnId, inspection, OPERATOR)));
    expect(retries.filter((result) => result.status === 'fulfilled').length).toBeGreaterThan(0);
    const inspected = (await deps.returns.get(labelled.returnId))!;
    expect(inspected).toMatchObject({ status: 'REFUND_REQUESTED', refund: { amount: 3 * 1500, currency: 'CNY', units: 3 } });
    expect(await onHand(sku)).toMatchObject({ onHand: before.onHand + 2, available: before.available + 2 });
    // The forward order's reservation stays as it was: returns never touch it.
    expect((await deps.orders.getReservation(orderId))?.state).toBe('ALLOCATED');

    const refunded = await recordRefund(deps, labelled.returnId, 'PAY-1', OPERATOR);
    expect(refunded).toMatchObject({ status: 'REFUNDED', refund: { reference: 'PAY-1' } });
    expect((await recordRefund(deps, labelled.returnId, 'PAY-1', OPERATOR)).version).toBe(refunded.version);
    await expect(recordRefund(deps, labelled.returnId, 'PAY-2', OPERATOR)).rejects.toThrow(/another reference/);
    expect(await onHand(sku)).toMatchObject({ onHand: before.onHand + 2 });
  });

  it('waits for an operator when the policy does not auto-approve, then labels on approval', async () => {
    const { sku, orderId } = await deliveredOrder(1);
    const { return: requested } = await ask(orderId, sku, 1, 'CHANGED_MIND');
    expect(requested.status).toBe('REQUESTED');
    const approved = await approveOrderReturn(deps, requested.returnId, OPERATOR);
    expect(approved).toMatchObject({ status: 'LABEL_ISSUED', version: 3 });
    expect((await approveOrderReturn(deps, requested.returnId, OPERATOR)).version).toBe(3);
  });

  it('lets the channel cancel its own return before the parcel moves, giving the units back; another channel does not see it', async () => {
    const { sku, orderId } = await deliveredOrder(1);
    const { return: labelled } = await ask(orderId, sku, 1, 'DEFECTIVE');
    await expect(cancelOrderReturn(deps, labelled.returnId, { channel: 'marketplace' }, CHANNEL_ACTOR)).rejects.toBeInstanceOf(ReturnNotFound);
    const cancelled = await cancelOrderReturn(deps, labelled.returnId, { channel: CHANNEL }, CHANNEL_ACTOR);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', version: 4 });
    expect((await cancelOrderReturn(deps, labelled.returnId, { channel: CHANNEL }, CHANNEL_ACTOR)).version).toBe(4);
    expect((await deps.returns.ledger(orderId)).returned).toEqual({ [sku]: 0 });
    expect((await ask(orderId, sku, 1)).created).toBe(true);
  });
});
