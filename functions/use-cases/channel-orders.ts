import { OrderNotFound } from '../domain/errors.ts';
import type { Order } from '../domain/order.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * The order, if it belongs to `channel`. Another channel's order is "not found" rather
 * than "forbidden", so a channel cannot learn which order ids exist elsewhere.
 */
export async function channelOrder(deps: Dependencies, orderId: string, channel: string): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order || order.channel !== channel) throw new OrderNotFound(orderId);
  return order;
}
