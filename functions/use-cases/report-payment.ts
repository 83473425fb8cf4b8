import { decidePayment, type PaymentReport } from '../domain/payment.ts';
import type { Actor, Order } from '../domain/order.ts';
import { givingBack } from './capacity-counts.ts';
import { channelOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

/**
 * Records the channel's payment report on its own order awaiting payment. Authorized: the order moves
 * on (PLACED, or STOCK_LOCKED when its stock was locked while it waited) and its `OrderPaymentAuthorized`
 * event starts the workflow, which resumes from where the order stands (the rule of
 * lib/fulfilment-workflow.ts). Failed: cancelled, PAYMENT_FAILED, with whatever stock it held given back
 * in the same commit. The write is guarded on the version read, like the timeout's and a cancel's, so
 * of a payment, a timeout and a cancel racing exactly one commits; the others read the order again and
 * find it decided: a repeat of the same report answers the order unchanged, a contradicting one 409.
 */
export async function reportPayment(
  deps: Pick<Dependencies, 'orders' | 'now'>,
  { orderId, channel, report, by }: { orderId: string; channel: string; report: PaymentReport; by: Actor },
): Promise<Order> {
  return retryOnConflict(`Order ${orderId} kept changing while recording its payment`, async () => {
    const order = await channelOrder(deps, orderId, channel);
    const after = decidePayment(order, report, deps.now(), by);
    if (after === order) return order;
    const reservation = after.status === 'CANCELLED' ? await deps.orders.getReservation(orderId) : undefined;
    return (await deps.orders.commit({ order: { before: order, after }, ...givingBack(reservation) })).ok ? after : CONFLICT;
  });
}
