import { cancelRequestSchema, orderIdSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { cancelOrder } from '../use-cases/cancel-order.ts';

/** POST /orders/{orderId}/cancel: the caller's own order; the body (`{ reasonCode, note }`) is optional. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const { reasonCode, note, reason } = event.body ? jsonBody(event, cancelRequestSchema) : {};
  return json(200, await cancelOrder(dependencies(), { orderId, channel, reasonCode, note: note ?? reason }));
});
