import { IllegalTransition, TransientError } from '../domain/errors.ts';
import { CANCELLABLE_STATUSES, transition, type Order } from '../domain/order.ts';
import { releaseReservationMoves } from '../domain/stock.ts';
import { capacityReleaseItems } from './capacity-counts.ts';
import { channelOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';

const ATTEMPTS = 4;

/**
 * Cancels an order before its shipment is requested, giving back whatever stock it
 * holds in the same transaction, so stock is restored the moment the cancel answers.
 * The workflow notices at its next step and stops. Cancelling twice is not an error.
 * A channel cancels only its own orders.
 */
export async function cancelOrder(
  deps: Dependencies,
  { orderId, channel, reason = 'CANCELLED_BY_CHANNEL' }: { orderId: string; channel: string; reason?: string | undefined },
): Promise<Order> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await channelOrder(deps, orderId, channel);
    if (order.status === 'CANCELLED') return order;
    if (!CANCELLABLE_STATUSES.includes(order.status)) throw new IllegalTransition(order.status, 'CANCELLED');
    const reservation = await deps.orders.getReservation(orderId);
    const after = transition(order, 'CANCELLED', deps.now(), { cancellationReason: reason }, reason);
    const result = await deps.orders.transact([
      deps.orders.transitionItem(order, after),
      ...(reservation
        ? [
            deps.orders.deleteReservationItem(orderId, reservation.state),
            ...releaseReservationMoves(reservation).map((move) => deps.stock.moveItem(move)),
            ...capacityReleaseItems(deps, reservation),
          ]
        : []),
    ]);
    if (result.ok) return after;
  }
  throw new TransientError(`Order ${orderId} kept changing while cancelling`);
}
