import { orderIdSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { orderRepository, personalDataCipher } from '../use-cases/dependencies.ts';
import { visibleOrder } from '../use-cases/channel-orders.ts';
import { openOrder } from '../use-cases/personal-data.ts';

/** GET /orders/{orderId}: a channel's own order, or any order for an operator, with its history and its personal values opened. */
export const handler = httpHandler(async (event) => {
  const who = visibility(caller(event));
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  return json(200, await openOrder(personalDataCipher(), await visibleOrder({ orders: orderRepository() }, orderId, who)));
});
