import { TransientError } from '../domain/errors.ts';
import { changeShippingAddress as amend, type Order, type ShipTo } from '../domain/order.ts';
import { StaleOrder } from '../store/order-store.ts';
import { channelOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';

const ATTEMPTS = 4;

/**
 * Ships the channel's order to a new address while it is not yet routed. The write is
 * guarded on the status and version read, like every fulfilment step's, so it cannot
 * interleave with routing: if routing commits first, the guard fails, the order is read
 * again as ROUTED and the change is refused (409); if the change commits first, routing's
 * own guard fails and it decides again from the new address.
 */
export async function changeShippingAddress(
  deps: Dependencies,
  request: { orderId: string; channel: string; shipTo: ShipTo },
): Promise<Order> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await channelOrder(deps, request.orderId, request.channel);
    const after = amend(order, request.shipTo, deps.now());
    if (after === order) return order;
    try {
      await deps.orders.saveTransition(order, after);
      return after;
    } catch (error) {
      if (!(error instanceof StaleOrder)) throw error;
    }
  }
  throw new TransientError(`Order ${request.orderId} kept changing while changing its address`);
}
