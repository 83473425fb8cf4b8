/**
 * Cancels orders whose payment did not come within their channel's timeout (PAYMENT_TIMEOUT), giving back
 * any stock they locked while waiting in the same commit. The reconciler runs it every minute. Each write
 * is guarded on the version read, so a payment report or a cancel that lands first wins and the order is
 * read again: no longer overdue, it is left alone. Safe to run twice at once.
 */
import { expirePayment, paymentOverdue } from '../domain/payment.ts';
import { givingBack } from './capacity-counts.ts';
import type { InFlightOrders, OrderRepository } from './ports.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

export interface PaymentExpiryDependencies {
  orders: Pick<OrderRepository, 'get' | 'getReservation' | 'commit'>;
  inFlight: Pick<InFlightOrders, 'paymentDueBy'>;
  now: () => string;
}

export interface PaymentExpiryReport {
  /** Orders the index lists as due. */
  due: number;
  /** Of those, cancelled PAYMENT_TIMEOUT by this run. */
  timedOut: number;
}

/** Cancels one order if its payment is overdue; false when it is not (paid, cancelled or changed meanwhile). Its timer's action too. */
export async function expireOverduePayment(deps: Omit<PaymentExpiryDependencies, 'inFlight'>, orderId: string): Promise<boolean> {
  return retryOnConflict(`Order ${orderId} kept changing while timing out its payment`, async () => {
    const order = await deps.orders.get(orderId);
    const now = deps.now();
    if (!order || !paymentOverdue(order, now)) return false;
    const reservation = await deps.orders.getReservation(orderId);
    const outcome = await deps.orders.commit({ order: { before: order, after: expirePayment(order, now) }, ...givingBack(reservation) });
    return outcome.ok ? true : CONFLICT;
  });
}

export async function expireOverduePayments(deps: PaymentExpiryDependencies): Promise<PaymentExpiryReport> {
  const report: PaymentExpiryReport = { due: 0, timedOut: 0 };
  for await (const orderId of deps.inFlight.paymentDueBy(deps.now())) {
    report.due++;
    if (await expireOverduePayment(deps, orderId)) report.timedOut++;
  }
  return report;
}
