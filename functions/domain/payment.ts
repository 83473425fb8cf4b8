/**
 * The payment gate: an order placed with its payment pending waits in PAYMENT_PENDING until the
 * channel reports the payment authorized (fulfilment goes on) or failed (cancelled, PAYMENT_FAILED),
 * or its channel's timeout passes (cancelled, PAYMENT_TIMEOUT). Per channel, stock is locked at
 * placement (the workflow locks, and the order waits with its stock) or only once paid. Pure: no
 * I/O, no clock (callers pass `now`); every decision is one version of the order, so the store's
 * guard on the version read lets exactly one of payment, timeout and cancel win.
 */
import { OrderNotAmendable, PaymentAlreadyDecided } from './errors.ts';
import type { Payment } from './placement-payment.ts';
import { audit, RECONCILER, recorded, standingClosing, transition, type Actor, type Order } from './order.ts';

/** What a channel may report about a pending payment. */
export const PAYMENT_REPORT_STATUSES = ['authorized', 'failed'] as const;
export type PaymentReportStatus = (typeof PAYMENT_REPORT_STATUSES)[number];

export interface PaymentReport {
  status: PaymentReportStatus;
  reference: string;
}

export const awaitsPayment = (order: Pick<Order, 'status'>): boolean => order.status === 'PAYMENT_PENDING';

/** True when the workflow is to lock the stock of this pending order now (lockStockAt `placement`, not yet locked). */
export const locksStockBeforePayment = (order: Pick<Order, 'status' | 'payment'>): boolean =>
  awaitsPayment(order) && order.payment?.lockStockAt === 'placement' && !order.payment.stockLocked;

/** When the pending order is cancelled unless paid; undefined for any other order. */
export function paymentDueAt(order: Pick<Order, 'status' | 'payment'>): string | undefined {
  return awaitsPayment(order) ? order.payment?.dueAt : undefined;
}

/**
 * The pending order with its stock locked by the workflow (the store writes the reservation in the
 * same commit): a recorded change, `OrderStockLocked` with the status still PAYMENT_PENDING.
 */
export function stockLockedAwaitingPayment(order: Order, now: string, by: Actor): Order {
  if (!locksStockBeforePayment(order)) throw new Error(`Order ${order.orderId} does not lock stock before its payment`);
  const payment = { ...order.payment!, stockLocked: true };
  return recorded(order, order.status, now, { amendment: 'STOCK_LOCKED_AWAITING_PAYMENT', ...audit(by, [{ field: 'payment.stockLocked', from: false, to: true }]) }, { payment });
}

/** Whether `report` repeats the decision the order has: the same outcome (and reference, when the order has one). */
function repeats(payment: Payment | undefined, report: PaymentReport): boolean {
  const decided = payment?.status ?? 'authorized';
  return decided === report.status && (payment?.reference === undefined || payment.reference === report.reference);
}

/**
 * The order after the channel's payment report, or the order unchanged when the report repeats the
 * decision it has (idempotent: no new version, no event). Authorized: fulfilment goes on from where
 * the order stands (PLACED, or STOCK_LOCKED when its stock was locked while it waited). Failed: the
 * order is cancelled, PAYMENT_FAILED (its stock, if locked, is given back in the same commit).
 * Anything else contradicts what was decided: PaymentAlreadyDecided (409).
 */
export function decidePayment(order: Order, report: PaymentReport, now: string, by: Actor): Order {
  // Its stock lock was refused or failed: the workflow is closing it, and no payment can carry it on.
  if (standingClosing(order)) throw new OrderNotAmendable(order.status, 'its payment: it is being closed');
  if (!awaitsPayment(order)) {
    if (order.status !== 'CANCELLED' && repeats(order.payment, report)) return order;
    if (order.payment?.status === 'failed' && repeats(order.payment, report)) return order;
    const decision = order.status === 'CANCELLED' ? `cancelled (${order.cancellationReason ?? 'UNSPECIFIED'})` : `payment ${order.payment?.status ?? 'authorized'}`;
    throw new PaymentAlreadyDecided(
      order.status,
      decision,
      `Order ${order.orderId} is ${order.status} (${decision}); a payment report of ${report.status} with this reference contradicts it`,
    );
  }
  const payment: Payment = { ...order.payment!, status: report.status, reference: report.reference, decidedAt: now };
  const changed = [
    { field: 'payment.status', from: 'pending', to: report.status },
    ...(order.payment?.reference !== report.reference ? [{ field: 'payment.reference' }] : []),
  ];
  if (report.status === 'authorized') {
    const to = order.payment?.stockLocked ? 'STOCK_LOCKED' : 'PLACED';
    return recorded(order, to, now, { amendment: 'PAYMENT_AUTHORIZED', ...audit(by, changed) }, { payment });
  }
  return recorded(
    order,
    'CANCELLED',
    now,
    { amendment: 'PAYMENT_FAILED', reason: 'PAYMENT_FAILED', ...audit(by, [...changed, { field: 'cancellationReason', from: null, to: 'PAYMENT_FAILED' }]) },
    { payment, cancellationReason: 'PAYMENT_FAILED' },
  );
}

/** Whether the pending order's payment is overdue at `now`. */
export function paymentOverdue(order: Order, now: string): boolean {
  const due = paymentDueAt(order);
  // An order being closed by the workflow is left to it.
  return due !== undefined && Date.parse(now) >= Date.parse(due) && !standingClosing(order);
}

/** The pending order cancelled for want of payment (`OrderCancelled`, PAYMENT_TIMEOUT); its stock, if locked, goes back in the same commit. */
export function expirePayment(order: Order, now: string, by: Actor = RECONCILER): Order {
  if (!paymentOverdue(order, now)) throw new Error(`Order ${order.orderId} has no overdue payment`);
  return transition(
    order,
    'CANCELLED',
    now,
    { cancellationReason: 'PAYMENT_TIMEOUT', payment: { ...order.payment!, status: 'timed_out', decidedAt: now } },
    'PAYMENT_TIMEOUT',
    by,
  );
}
