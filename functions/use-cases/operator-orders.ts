/**
 * What operators read across channels: orders by channel, by customer, overdue in flight, or
 * changed since a time (what a console polls).
 */
import { type DeadlineSettings, overdueCutoff, overdueSeconds } from '../domain/deadlines.ts';
import type { Order, OrderStatus } from '../domain/order.ts';
import { listChannelOrders } from './channel-orders.ts';
import type { PageCursors, Position } from './page-cursors.ts';
import type { InFlightOrders, OrderRepository } from './ports.ts';

export interface OperatorOrdersQuery {
  channel?: string | undefined;
  status?: OrderStatus | undefined;
  customerId?: string | undefined;
  overdue?: boolean | undefined;
  updatedSince?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface OperatorOrdersDependencies {
  orders: OrderRepository;
  inFlight: InFlightOrders;
  now: () => string;
  deadlines: DeadlineSettings;
}

export type OrdersAnswer = { orders: Order[]; nextCursor: string | null };

/**
 * Which listing a query asks for, most selective first; the other filters narrow what it reads.
 * Listings by change and by deadline are not paged by cursor: a caller continues from the last
 * `updatedAt`, and overdue orders are few by design (ADR 0002).
 */
export async function listOrdersAcrossChannels(
  deps: OperatorOrdersDependencies,
  cursors: PageCursors,
  query: OperatorOrdersQuery,
): Promise<OrdersAnswer> {
  const matches = (order: Order) =>
    (query.status === undefined || order.status === query.status) &&
    (query.channel === undefined || order.channel === query.channel) &&
    (query.customerId === undefined || order.customer.id === query.customerId);
  if (query.overdue) {
    const now = deps.now();
    const orders: Order[] = [];
    for await (const orderId of deps.inFlight.inFlightSince(overdueCutoff(now, deps.deadlines))) {
      const order = await deps.orders.get(orderId);
      if (order && overdueSeconds(order, now, deps.deadlines) > 0 && matches(order)) orders.push(order);
      if (orders.length === query.limit) break;
    }
    return { orders, nextCursor: null };
  }
  if (query.updatedSince !== undefined) {
    return { orders: (await deps.orders.changedSince(query.updatedSince, query.limit)).filter(matches), nextCursor: null };
  }
  if (query.customerId !== undefined) {
    const key = ['customer', query.customerId, query.status ?? null, query.channel ?? null, query.limit];
    const page = await deps.orders.listByCustomer({
      customerId: query.customerId,
      limit: query.limit,
      startKey: query.cursor === undefined ? undefined : cursors.open(key, query.cursor),
    });
    return { orders: page.orders.filter(matches), nextCursor: page.nextKey ? cursors.seal(key, page.nextKey as Position) : null };
  }
  if (query.channel !== undefined) {
    return listChannelOrders(deps, cursors, { channel: query.channel, status: query.status, limit: query.limit, cursor: query.cursor });
  }
  throw new Error('unreachable: the query schema requires a channel, customerId, overdue or updatedSince');
}
