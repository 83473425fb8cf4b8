import { z } from 'zod';
import { listOrdersQuerySchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { callerChannel, requireOwnChannel } from '../http/caller.ts';
import { problems } from '../http/problem.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import type { Order } from '../domain/order.ts';

const cursorKeySchema = z.record(z.string(), z.string().max(512)).refine((key) => Object.keys(key).length <= 4);

/** The cursor is the index position, base64url-encoded; anything else is a 400, not a 500. */
function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = cursorKeySchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return key;
  } catch {
    throw problems.validation('The cursor is not one this API returned', [
      { path: '$.cursor', pointer: '/cursor', message: 'Invalid cursor' },
    ]);
  }
}

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
  const query = validate(listOrdersQuerySchema, event.queryStringParameters ?? {}, 'query string');
  requireOwnChannel(query.channel, channel, 'The query');
  const page = await dependencies().orders.list({
    channel,
    ...(query.status ? { status: query.status } : {}),
    limit: query.limit,
    startKey: decodeCursor(query.cursor),
  });
  return json(200, {
    items: page.orders.map(summary),
    nextCursor: page.nextKey ? Buffer.from(JSON.stringify(page.nextKey)).toString('base64url') : null,
  });
});
