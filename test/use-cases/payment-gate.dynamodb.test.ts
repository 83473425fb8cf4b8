/**
 * The payment gate against DynamoDB Local, with the real fulfilment definition run by the ASL
 * interpreter: an order placed awaiting payment waits (with its stock when its channel locks at
 * placement), moves on when paid, and of a payment, a timeout and a cancel that race exactly one
 * commits, in either order of arrival and at once, with stock exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { channelSettingsOf, type ChannelSettingsFile } from '../../functions/domain/channel-settings.ts';
import { PaymentAlreadyDecided } from '../../functions/domain/errors.ts';
import { timelineOf } from '../../functions/domain/events.ts';
import type { Actor } from '../../functions/domain/order.ts';
import { inventoryView } from '../../functions/domain/stock.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import { InFlightIndex } from '../../functions/store/in-flight-index.ts';
import { cancelOrder } from '../../functions/use-cases/cancel-order.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { expireOverduePayment, expireOverduePayments } from '../../functions/use-cases/expire-payments.ts';
import { fireOrderTimer } from '../../functions/use-cases/order-timers.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { reportPayment } from '../../functions/use-cases/report-payment.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localDependencies, localDynamoDbClient } from '../support/dynamodb.ts';
import { runFulfilment } from '../support/fulfilment-workflow.ts';

const CHANNELS: ChannelSettingsFile = {
  channels: [
    { name: 'locks-at-placement', holdSeconds: 0, payment: { timeoutSeconds: 60, lockStockAt: 'placement' } },
    { name: 'locks-at-payment', holdSeconds: 0, payment: { timeoutSeconds: 60, lockStockAt: 'payment' } },
  ],
};
const MODES = [
  ['placement', 'locks-at-placement'],
  ['payment', 'locks-at-payment'],
] as const;
const ON_HAND = 10;
const QUANTITY = 3;
const CHANNEL_ACTOR: Actor = { kind: 'channel', id: 'shop-client' };

let deps: Dependencies;
let inFlight: InFlightIndex;
let skuCounter = 0;

beforeAll(async () => {
  deps = await localDependencies('payment', { channels: (channel) => channelSettingsOf(CHANNELS, channel) });
  inFlight = new InFlightIndex(createDocumentClient(localDynamoDbClient()), (deps.orders as unknown as { tableName: string }).tableName);
});

async function stockedSku(): Promise<string> {
  const sku = `PAY-${++skuCounter}-${Date.now()}`;
  await setOnHand(deps, sku, { 'wh-shanghai': ON_HAND });
  return sku;
}

const available = async (sku: string) => inventoryView((await deps.stock.get(sku))!).availableToPromise;

/** An order placed awaiting payment, its OrderPlaced execution run. */
async function pendingOrder(channel: string, sku: string): Promise<{ orderId: string; dueAt: string }> {
  const { order } = await placeOrderOnce(
    deps,
    orderRequest({ channel, lines: [{ sku, quantity: QUANTITY, unitPrice: 700 }], payment: { status: 'pending', provider: 'sandbox-pay' } }),
    undefined,
    CHANNEL_ACTOR,
  );
  expect(order.status).toBe('PAYMENT_PENDING');
  await runFulfilment(deps, order.orderId);
  const stored = (await deps.orders.get(order.orderId))!;
  expect(stored.status).toBe('PAYMENT_PENDING');
  return { orderId: order.orderId, dueAt: stored.payment!.dueAt! };
}

const pay = (orderId: string, channel: string, status: 'authorized' | 'failed' = 'authorized') =>
  reportPayment(deps, { orderId, channel, report: { status, reference: `ref_${orderId}` }, by: CHANNEL_ACTOR });

/** The timeout as the reconciler applies it, at a clock past the order's due time. */
const timeOut = (orderId: string, dueAt: string) =>
  expireOverduePayment({ ...deps, now: () => new Date(Date.parse(dueAt) + 1000).toISOString() }, orderId);

describe.each(MODES)('stock locked at %s', (mode, channel) => {
  const heldWhilePending = mode === 'placement' ? QUANTITY : 0;

  it('waits for the payment, then goes on to the shipment request when paid', async () => {
    const sku = await stockedSku();
    const { orderId } = await pendingOrder(channel, sku);
    expect(await available(sku)).toBe(ON_HAND - heldWhilePending);

    const paid = await pay(orderId, channel);
    expect(paid.status).toBe(mode === 'placement' ? 'STOCK_LOCKED' : 'PLACED');
    // The OrderPaymentAuthorized event starts the execution that goes on.
    expect((await runFulfilment(deps, orderId)).endState).toBe('ShipmentRequested');
    const shipped = (await deps.orders.get(orderId))!;
    expect(shipped.status).toBe('SHIPMENT_REQUESTED');
    expect(await available(sku)).toBe(ON_HAND - QUANTITY);
    expect(timelineOf(shipped).map((entry) => entry.event.detailType)).toEqual([
      'OrderPlaced',
      ...(mode === 'placement' ? ['OrderStockLocked', 'OrderPaymentAuthorized'] : ['OrderPaymentAuthorized', 'OrderStockLocked']),
      'OrderRouted',
      'OrderShipmentRequested',
    ]);
    // The same report again changes nothing; another outcome is refused.
    expect((await pay(orderId, channel)).version).toBe(shipped.version);
    await expect(pay(orderId, channel, 'failed')).rejects.toThrow(PaymentAlreadyDecided);
  });

  it('is cancelled PAYMENT_FAILED when the payment fails, its stock given back', async () => {
    const sku = await stockedSku();
    const { orderId } = await pendingOrder(channel, sku);
    const failed = await pay(orderId, channel, 'failed');
    expect(failed).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_FAILED' });
    expect(await available(sku)).toBe(ON_HAND);
    expect(await deps.orders.getReservation(orderId)).toBeUndefined();
    expect((await pay(orderId, channel, 'failed')).version).toBe(failed.version);
  });

  it('times out: found through the index once due, cancelled PAYMENT_TIMEOUT, stock restored', async () => {
    const sku = await stockedSku();
    const { orderId, dueAt } = await pendingOrder(channel, sku);
    const before = { ...deps, inFlight, now: () => new Date(Date.parse(dueAt) - 1000).toISOString() };
    await expireOverduePayments(before);
    expect((await deps.orders.get(orderId))!.status).toBe('PAYMENT_PENDING');

    const after = { ...deps, inFlight, now: () => new Date(Date.parse(dueAt) + 1000).toISOString() };
    const report = await expireOverduePayments(after);
    expect(report.timedOut).toBeGreaterThanOrEqual(1);
    expect(await deps.orders.get(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(await available(sku)).toBe(ON_HAND);
    await expect(pay(orderId, channel)).rejects.toThrow(PaymentAlreadyDecided);
    // Out of the index once decided.
    expect(await expireOverduePayment(after, orderId)).toBe(false);
  });

  it('its payment-timeout timer cancels it once due, and changes nothing when run again', async () => {
    const sku = await stockedSku();
    const { orderId, dueAt } = await pendingOrder(channel, sku);
    const timer = { orderId, kind: 'payment-timeout' as const };
    expect(await fireOrderTimer(deps, timer)).toBe('nothing');
    const due = { ...deps, now: () => new Date(Date.parse(dueAt) + 1000).toISOString() };
    expect(await fireOrderTimer(due, timer)).toBe('done');
    expect(await fireOrderTimer(due, timer)).toBe('nothing');
    expect(await deps.orders.get(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(await available(sku)).toBe(ON_HAND);
  });

  it('payment first, then the timeout: the payment wins', async () => {
    const sku = await stockedSku();
    const { orderId, dueAt } = await pendingOrder(channel, sku);
    await pay(orderId, channel);
    expect(await timeOut(orderId, dueAt)).toBe(false);
    expect((await deps.orders.get(orderId))!.status).not.toBe('CANCELLED');
    expect(await available(sku)).toBe(ON_HAND - heldWhilePending);
  });

  it('the timeout first, then the payment: the timeout wins and the payment is refused', async () => {
    const sku = await stockedSku();
    const { orderId, dueAt } = await pendingOrder(channel, sku);
    expect(await timeOut(orderId, dueAt)).toBe(true);
    await expect(pay(orderId, channel)).rejects.toThrow(PaymentAlreadyDecided);
    expect((await deps.orders.get(orderId))!.status).toBe('CANCELLED');
    expect(await available(sku)).toBe(ON_HAND);
  });

  it('payment, timeout and cancel at once: exactly one wins, stock exact', async () => {
    const sku = await stockedSku();
    const orders = [await pendingOrder(channel, sku), await pendingOrder(channel, sku)];
    expect(await available(sku)).toBe(ON_HAND - 2 * heldWhilePending);
    const outcomes = await Promise.all(
      orders.map(async ({ orderId, dueAt }) => {
        const [payment, timeout, cancel] = await Promise.allSettled([
          pay(orderId, channel),
          timeOut(orderId, dueAt),
          cancelOrder(deps, { orderId, visibility: { channel }, by: CHANNEL_ACTOR, reasonCode: 'CUSTOMER_REQUEST' }),
        ]);
        return { orderId, payment, timeout, cancel, order: (await deps.orders.get(orderId))! };
      }),
    );
    let holding = 0;
    for (const { payment, timeout, cancel, order } of outcomes) {
      // One decision took the order out of PAYMENT_PENDING, and it is the one whose call says it won.
      const decisions = order.history.filter((entry) => entry.from === 'PAYMENT_PENDING' && entry.to !== 'PAYMENT_PENDING');
      expect(decisions).toHaveLength(1);
      const [decision] = decisions;
      const paymentWon = decision!.amendment === 'PAYMENT_AUTHORIZED';
      const timeoutWon = decision!.reason === 'PAYMENT_TIMEOUT';
      expect(payment.status === 'fulfilled').toBe(paymentWon);
      expect(timeout.status === 'fulfilled' && timeout.value).toBe(timeoutWon);
      if (!paymentWon) expect((payment as PromiseRejectedResult).reason).toBeInstanceOf(PaymentAlreadyDecided);
      // A cancel after the payment is the customer's to make; before it, it is the decision.
      if (!paymentWon && !timeoutWon) expect(decision!.reason).toBe('CUSTOMER_REQUEST');
      if (timeoutWon) expect(cancel.status === 'fulfilled' ? cancel.value.cancellationReason : undefined).not.toBe('CUSTOMER_REQUEST');
      if (order.status === 'CANCELLED') expect(await deps.orders.getReservation(order.orderId)).toBeUndefined();
      else holding++;
    }
    expect(await available(sku)).toBe(ON_HAND - holding * heldWhilePending);
  });
});
