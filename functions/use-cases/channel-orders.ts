import { OrderNotFound } from '../domain/errors.ts';
import type { Order, OrderStatus } from '../domain/order.ts';
import type { PageCursors, Position } from './page-cursors.ts';
import type { Dependencies } from './dependencies.ts';

/** Whose orders a caller sees: one channel's, or (operators) every channel's. */
export type Visibility = { channel: string } | 'any';

/**
 * The order, if the caller may see it. Another channel's order is "not found" rather
 * than "forbidden", so a channel cannot learn which order ids exist elsewhere.
 */
export async function visibleOrder(deps: Pick<Dependencies, 'orders'>, orderId: string, visibility: Visibility): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order || (visibility !== 'any' && order.channel !== visibility.channel)) throw new OrderNotFound(orderId);
  return order;
}

/** The order, if it belongs to `channel`. */
export const channelOrder = (deps: Pick<Dependencies, 'orders'>, orderId: string, channel: string): Promise<Order> =>
  visibleOrder(deps, orderId, { channel });

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
