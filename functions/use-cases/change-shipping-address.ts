import { changeShippingAddress as amend, changeShippingAddressInHoldWindow, isReroutableForAddress, type Actor, type Order } from '../domain/order.ts';
import { locksOf, releaseAllocationMoves } from '../domain/stock.ts';
import { capacityRelease } from './capacity-counts.ts';
import type { ShipTo } from '../domain/vocabulary.ts';
import { channelOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';
import { openOrder, sealOrder } from './personal-data.ts';

/**
 * Ships the channel's order to a new address while it is not yet routed, or while it is in its
 * channel's hold window (then it is routed again for the new address: see {@link rerouteForAddress}). The write is
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
    if (isReroutableForAddress(order)) return rerouteForAddress(deps, stored, order, request);
    const after = amend(order, request.shipTo, deps.now(), request.by);
    if (after === order) return order;
    const sealed = await sealOrder(deps.personalData, after);
    return (await deps.orders.commit({ order: { before: stored, after: sealed } })).ok ? after : CONFLICT;
  });
}

/**
 * The address change of a routed order in its hold window, in one commit guarded on the order and its
 * reservation as read: the order back to STOCK_LOCKED without its route (still held), the allocation
 * given back to the network-wide lock exactly as the reservation holds it, the warehouses' parcel counts
 * given back. Then an execution routes it again for the new address and stops at the hold; the window's
 * timer releases it. Should the start fail, the order is held STOCK_LOCKED and the window's end re-drives it.
 */
async function rerouteForAddress(
  deps: Dependencies,
  stored: Order,
  order: Order,
  request: { orderId: string; shipTo: ShipTo; by?: Actor },
): Promise<Order | typeof CONFLICT> {
  const after = changeShippingAddressInHoldWindow(order, request.shipTo, deps.now(), request.by);
  if (after === order) return order;
  const reservation = await deps.orders.getReservation(request.orderId);
  // Read after the order: routed means allocated, unless something changed in between.
  if (reservation?.state !== 'ALLOCATED') return CONFLICT;
  const sealed = await sealOrder(deps.personalData, after);
  const outcome = await deps.orders.commit({
    order: { before: stored, after: sealed },
    reservation: {
      put: { orderId: request.orderId, state: 'LOCKED', lines: reservation.lines, locks: locksOf(reservation.allocations) },
      expectedRevision: reservation.revision,
    },
    stock: releaseAllocationMoves(reservation.allocations),
    capacity: capacityRelease(reservation),
  });
  if (!outcome.ok) return CONFLICT;
  await deps.fulfilment.start(request.orderId, after.fulfilmentRedrives!.count);
  return after;
}
