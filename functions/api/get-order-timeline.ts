import { orderIdSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { timelineOf } from '../domain/order-timeline.ts';
import { orderRepository } from '../use-cases/dependencies.ts';
import { visibleOrder } from '../use-cases/channel-orders.ts';

/** GET /orders/{orderId}/timeline: every transition and amendment with who made it, oldest first, with the event each produced. */
export const handler = httpHandler(async (event) => {
  const who = visibility(caller(event));
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const order = await visibleOrder({ orders: orderRepository() }, orderId, who);
  return json(200, { orderId, status: order.status, version: order.version, entries: timelineOf(order) });
});
