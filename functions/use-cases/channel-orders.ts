import { OrderNotFound } from '../domain/errors.ts';
import type { Order, OrderStatus } from '../domain/order.ts';
import type { PageCursors, Position } from './page-cursors.ts';
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

export interface ChannelOrdersQuery {
  channel: string;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

/** A page of the channel's orders, newest first; `nextCursor` continues this query only. */
export async function listChannelOrders(
  deps: Pick<Dependencies, 'orders'>,
  cursors: PageCursors,
  { channel, status, limit, cursor }: ChannelOrdersQuery,
): Promise<{ orders: Order[]; nextCursor: string | null }> {
  const query = [channel, status ?? null, limit];
  const page = await deps.orders.list({
    channel,
    ...(status ? { status } : {}),
    limit,
    startKey: cursor === undefined ? undefined : cursors.open(query, cursor),
  });
  return { orders: page.orders, nextCursor: page.nextKey ? cursors.seal(query, page.nextKey as Position) : null };
}
