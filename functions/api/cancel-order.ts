import { cancelRequestSchema, orderIdSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { cancelOrder } from '../use-cases/cancel-order.ts';

/** POST /orders/{orderId}/cancel: the body (`{ reason }`) is optional. */
export const handler = httpHandler(async (event) => {
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const { reason } = event.body ? jsonBody(event, cancelRequestSchema) : {};
  return json(200, await cancelOrder(dependencies(), orderId, reason));
});
