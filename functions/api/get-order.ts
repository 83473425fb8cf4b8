import { orderIdSchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { OrderNotFound } from '../domain/errors.ts';
import { dependencies } from '../use-cases/dependencies.ts';

/** GET /orders/{orderId} */
export const handler = httpHandler(async (event) => {
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const order = await dependencies().orders.get(orderId);
  if (!order) throw new OrderNotFound(orderId);
  return json(200, order);
});
