import { describe, expect, it } from 'vitest';
import { PaymentAlreadyDecided } from '../../functions/domain/errors.ts';
import { orderEventOf } from '../../functions/domain/events.ts';
import { placeOrder, transition, type Actor } from '../../functions/domain/order.ts';
import {
  decidePayment,
  expirePayment,
  locksStockBeforePayment,
  paymentDueAt,
  paymentOverdue,
  stockLockedAwaitingPayment,
} from '../../functions/domain/payment.ts';
import type { PaymentSettings } from '../../functions/domain/placement-payment.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { timersOf } from '../../functions/domain/order-timers.ts';

const T0 = '2026-12-04T10:00:00.000Z';
const T1 = '2026-12-04T10:01:00.000Z';
const CHANNEL: Actor = { kind: 'channel', id: 'shop-client' };
const STEP: Actor = { kind: 'step', id: 'LockStock' };
const AT_PAYMENT: PaymentSettings = { timeoutSeconds: 120, lockStockAt: 'payment' };
const AT_PLACEMENT: PaymentSettings = { timeoutSeconds: 120, lockStockAt: 'placement' };

const pending = (settings = AT_PAYMENT) =>
  placeOrder(orderRequest({ payment: { status: 'pending', provider: 'alipay', reference: 'pay_A1' } }), 'ord-p', T0, CHANNEL, settings);

describe('placing with a payment', () => {
  it('is PLACED as today without a payment, or with one already authorized', () => {
    const today = placeOrder(orderRequest(), 'ord-1', T0);
    expect(today.status).toBe('PLACED');
    expect(today.payment).toBeUndefined();
    const paid = placeOrder(orderRequest({ payment: { status: 'authorized', provider: 'alipay' } }), 'ord-2', T0);
    expect(paid.status).toBe('PLACED');
    expect(paid.payment).toEqual({ status: 'authorized', provider: 'alipay', decidedAt: T0 });
    expect(orderEventOf(paid).data.payment).toEqual({ status: 'authorized', provider: 'alipay' });
  });

  it('is PAYMENT_PENDING with its due time and lock moment from the channel settings', () => {
    const order = pending(AT_PLACEMENT);
    expect(order.status).toBe('PAYMENT_PENDING');
    expect(order.history).toEqual([{ from: null, to: 'PAYMENT_PENDING', at: T0, by: CHANNEL }]);
    expect(paymentDueAt(order)).toBe('2026-12-04T10:02:00.000Z');
    expect(locksStockBeforePayment(order)).toBe(true);
    expect(locksStockBeforePayment(pending(AT_PAYMENT))).toBe(false);
    const event = orderEventOf(order);
    expect(event.type).toBe('OrderPlaced');
    expect(event.status).toBe('PAYMENT_PENDING');
    // The reference stays on the order.
    expect(JSON.stringify(event)).not.toContain('pay_A1');
  });
});

describe('deciding the payment', () => {
  it('authorized moves a pending order on to PLACED, as OrderPaymentAuthorized', () => {
    const after = decidePayment(pending(), { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL);
    expect(after.status).toBe('PLACED');
    expect(after.version).toBe(2);
    expect(after.payment).toMatchObject({ status: 'authorized', reference: 'pay_A1', decidedAt: T1 });
    expect(after.history.at(-1)).toMatchObject({ from: 'PAYMENT_PENDING', to: 'PLACED', amendment: 'PAYMENT_AUTHORIZED', by: CHANNEL });
    const event = orderEventOf(after);
    expect(event.type).toBe('OrderPaymentAuthorized');
    expect(event.previousStatus).toBe('PAYMENT_PENDING');
    expect(JSON.stringify(event)).not.toContain('pay_A1');
  });

  it('authorized moves an order whose stock was locked while waiting on to STOCK_LOCKED', () => {
    const locked = stockLockedAwaitingPayment(pending(AT_PLACEMENT), T1, STEP);
    expect(locked.status).toBe('PAYMENT_PENDING');
    expect(locked.history.at(-1)?.amendment).toBe('STOCK_LOCKED_AWAITING_PAYMENT');
    expect(orderEventOf(locked)).toMatchObject({ type: 'OrderStockLocked', status: 'PAYMENT_PENDING', previousStatus: 'PAYMENT_PENDING' });
    expect(locksStockBeforePayment(locked)).toBe(false);
    const after = decidePayment(locked, { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL);
    expect(after.status).toBe('STOCK_LOCKED');
    expect(orderEventOf(after)).toMatchObject({ type: 'OrderPaymentAuthorized', status: 'STOCK_LOCKED' });
  });

  it('failed cancels the order with PAYMENT_FAILED, as OrderPaymentFailed', () => {
    const after = decidePayment(pending(), { status: 'failed', reference: 'pay_A1' }, T1, CHANNEL);
    expect(after.status).toBe('CANCELLED');
    expect(after.cancellationReason).toBe('PAYMENT_FAILED');
    const event = orderEventOf(after);
    expect(event).toMatchObject({ type: 'OrderPaymentFailed', status: 'CANCELLED', previousStatus: 'PAYMENT_PENDING' });
    expect(event.data).toMatchObject({ reason: 'PAYMENT_FAILED', payment: { status: 'failed' } });
  });

  it('a repeat of the decision changes nothing; a contradicting report is PaymentAlreadyDecided', () => {
    const authorized = decidePayment(pending(), { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL);
    expect(decidePayment(authorized, { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL)).toBe(authorized);
    expect(() => decidePayment(authorized, { status: 'failed', reference: 'pay_A1' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
    expect(() => decidePayment(authorized, { status: 'authorized', reference: 'pay_B2' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
    const failed = decidePayment(pending(), { status: 'failed', reference: 'pay_A1' }, T1, CHANNEL);
    expect(decidePayment(failed, { status: 'failed', reference: 'pay_A1' }, T1, CHANNEL)).toBe(failed);
    expect(() => decidePayment(failed, { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
  });

  it('an order paid before placing takes a matching authorized report as a repeat', () => {
    const today = placeOrder(orderRequest(), 'ord-1', T0);
    expect(decidePayment(today, { status: 'authorized', reference: 'any' }, T1, CHANNEL)).toBe(today);
    expect(() => decidePayment(today, { status: 'failed', reference: 'any' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
  });

  it('a cancelled or timed-out order refuses any report', () => {
    const cancelled = transition(pending(), 'CANCELLED', T1, { cancellationReason: 'CUSTOMER_REQUEST' }, 'CUSTOMER_REQUEST');
    expect(() => decidePayment(cancelled, { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
    const expired = expirePayment(pending(), '2026-12-04T10:02:00.000Z');
    for (const status of ['authorized', 'failed'] as const) {
      expect(() => decidePayment(expired, { status, reference: 'pay_A1' }, T1, CHANNEL)).toThrow(PaymentAlreadyDecided);
    }
  });
});

describe('the payment timeout', () => {
  it('is overdue from its due time on, and cancels with PAYMENT_TIMEOUT as OrderCancelled', () => {
    const order = pending();
    expect(paymentOverdue(order, '2026-12-04T10:01:59.999Z')).toBe(false);
    expect(() => expirePayment(order, '2026-12-04T10:01:59.999Z')).toThrow();
    const expired = expirePayment(order, '2026-12-04T10:02:00.000Z');
    expect(expired).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT', payment: { status: 'timed_out' } });
    expect(expired.history.at(-1)).toMatchObject({ from: 'PAYMENT_PENDING', to: 'CANCELLED', reason: 'PAYMENT_TIMEOUT', by: { kind: 'reconciler' } });
    expect(orderEventOf(expired)).toMatchObject({ type: 'OrderCancelled', data: { reason: 'PAYMENT_TIMEOUT' } });
  });

  it('does not apply to an order that is no longer pending', () => {
    const paid = decidePayment(pending(), { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL);
    expect(paymentDueAt(paid)).toBeUndefined();
    expect(paymentOverdue(paid, '2030-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('the payment-timeout timer', () => {
  it('is what a pending order needs, due when its payment is, and nothing once decided', () => {
    const order = pending();
    expect(timersOf(order)).toEqual([{ orderId: 'ord-p', kind: 'payment-timeout', at: '2026-12-04T10:02:00.000Z' }]);
    expect(timersOf(decidePayment(order, { status: 'authorized', reference: 'pay_A1' }, T1, CHANNEL))).toEqual([]);
  });
});
