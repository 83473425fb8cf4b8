import { listOrdersQuerySchema, operatorOrdersQuerySchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { caller, requireOwnChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { cursorSigningKeyFromEnvironment } from '../secrets/cursor-signing-key.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { listChannelOrders } from '../use-cases/channel-orders.ts';
import { listOrdersAcrossChannels } from '../use-cases/operator-orders.ts';
import { pageCursors, type PageCursors } from '../use-cases/page-cursors.ts';
import type { Order } from '../domain/order.ts';

let cursors: PageCursors | undefined;

const summary = (order: Order) => ({
  orderId: order.orderId,
  channel: order.channel,
  channelOrderId: order.channelOrderId,
  status: order.status,
  currency: order.currency,
  totals: order.totals,
  placedAt: order.placedAt,
  updatedAt: order.updatedAt,
  ...(order.hold ? { held: true } : {}),
});

/**
 * GET /orders: a channel's own orders, newest first (`status`, `limit`, `cursor`); operators
 * list across channels by channel, customer, overdue or change time.
 */
export const handler = httpHandler(async (event) => {
  const who = caller(event);
  const raw = event.queryStringParameters ?? {};
  cursors ??= pageCursors(await cursorSigningKeyFromEnvironment());
  const deps = dependencies();
  if (who.kind === 'operator') {
    const query = validate(operatorOrdersQuerySchema, raw, 'query string');
    const page = await listOrdersAcrossChannels(deps, cursors, query);
    return json(200, { items: page.orders.map(summary), nextCursor: page.nextCursor });
  }
  const { channel: named, ...query } = validate(listOrdersQuerySchema, raw, 'query string');
  requireOwnChannel(named, who.channel, 'The query');
  const page = await listChannelOrders(deps, cursors, { channel: who.channel, ...query });
  return json(200, { items: page.orders.map(summary), nextCursor: page.nextCursor });
});
