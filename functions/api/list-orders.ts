import { listOrdersQuerySchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { callerChannel, requireOwnChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { cursorSigningKeyFromEnvironment } from '../secrets/cursor-signing-key.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { listChannelOrders } from '../use-cases/channel-orders.ts';
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
});

/** GET /orders?status=&limit=&cursor=: the caller's channel's orders, newest first. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const { channel: named, ...query } = validate(listOrdersQuerySchema, event.queryStringParameters ?? {}, 'query string');
  requireOwnChannel(named, channel, 'The query');
  cursors ??= pageCursors(await cursorSigningKeyFromEnvironment());
  const page = await listChannelOrders(dependencies(), cursors, { channel, ...query });
  return json(200, { items: page.orders.map(summary), nextCursor: page.nextCursor });
});
