import { IllegalTransition } from '../domain/errors.ts';
import { CANCELLABLE_STATUSES, transition, type Actor, type CancellationReason, type Order } from '../domain/order.ts';
import { givingBack } from './capacity-counts.ts';
import { visibleOrder, type Visibility } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

/**
 * Cancels an order before its shipment is requested, giving back whatever stock it
 * holds in the same commit, so stock is restored the moment the cancel answers.
 * The workflow notices at its next step and stops. Cancelling twice is not an error.
 * A channel cancels only its own orders, an admin any. The reason code goes into the history and
 * the event; the note stays on the order, sealed like the address (it may say anything).
 */
export async function cancelOrder(
  deps: Dependencies,
  {
    orderId,
    visibility,
    by,
    reasonCode = 'UNSPECIFIED',
    note,
  }: { orderId: string; visibility: Visibility; by?: Actor; reasonCode?: CancellationReason | undefined; note?: string | undefined },
): Promise<Order> {
  const sealedNote = note ? await deps.personalData.seal(orderId, 'cancellationNote', note) : undefined;
  return retryOnConflict(`Order ${orderId} kept changing while cancelling`, async () => {
    const order = await visibleOrder(deps, orderId, visibility);
    if (order.status === 'CANCELLED') return order;
    if (!CANCELLABLE_STATUSES.includes(order.status)) throw new IllegalTransition(order.status, 'CANCELLED');
    const reservation = await deps.orders.getReservation(orderId);
    const after = transition(
      order,
      'CANCELLED',
      deps.now(),
      { cancellationReason: reasonCode, ...(sealedNote ? { cancellationNote: sealedNote } : {}) },
      reasonCode,
      by,
    );
    const outcome = await deps.orders.commit({ order: { before: order, after }, ...givingBack(reservation) });
    // Answered with the note as the channel wrote it; stored, it stays sealed.
    return outcome.ok ? (note ? { ...after, cancellationNote: note } : after) : CONFLICT;
  });
}
