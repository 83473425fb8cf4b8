import { orderIdSchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { timelineOf } from '../domain/events.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { channelOrder } from '../use-cases/channel-orders.ts';

/** GET /orders/{orderId}/timeline: every transition and amendment, oldest first, with the event each produced. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const order = await channelOrder(dependencies(), orderId, channel);
  return json(200, { orderId, status: order.status, version: order.version, entries: timelineOf(order) });
});
