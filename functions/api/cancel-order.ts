import { cancelRequestSchema, orderIdSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { cancelOrder } from '../use-cases/cancel-order.ts';

/** POST /orders/{orderId}/cancel: a channel's own order, any order for an admin; the body (`{ reasonCode, note }`) is optional. */
export const handler = httpHandler(async (event) => {
  const who = caller(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const { reasonCode, note, reason } = event.body ? jsonBody(event, cancelRequestSchema) : {};
  return json(200, await cancelOrder(dependencies(), { orderId, visibility: visibility(who), by: who.actor, reasonCode, note: note ?? reason }));
});
