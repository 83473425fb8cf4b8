import { changeShippingAddress as amend, type Actor, type Order } from '../domain/order.ts';
import type { ShipTo } from '../domain/vocabulary.ts';
import { channelOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';
import { openOrder, sealOrder } from './personal-data.ts';

/**
 * Ships the channel's order to a new address while it is not yet routed. The write is
 * guarded on the order as read, like every fulfilment step's, so it cannot interleave
 * with routing: if routing commits first, the guard fails, the order is read again as
 * ROUTED and the change is refused (409); if the change commits first, routing's own
 * guard fails and it decides again from the new address. The address is compared with
 * the one stored opened, and stored sealed.
 */
export async function changeShippingAddress(
  deps: Dependencies,
  request: { orderId: string; channel: string; shipTo: ShipTo; by?: Actor },
): Promise<Order> {
  return retryOnConflict(`Order ${request.orderId} kept changing while changing its address`, async () => {
    const stored = await channelOrder(deps, request.orderId, request.channel);
    const order = await openOrder(deps.personalData, stored);
    const after = amend(order, request.shipTo, deps.now(), request.by);
    if (after === order) return order;
    const sealed = await sealOrder(deps.personalData, after);
    return (await deps.orders.commit({ order: { before: stored, after: sealed } })).ok ? after : CONFLICT;
  });
}
