import { orderIdSchema, shipToSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { caller, callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { changeShippingAddress } from '../use-cases/change-shipping-address.ts';

/**
 * PATCH /orders/{orderId}/shipping-address: the whole new address (same shape as `shipTo`
 * when placing), until the order is routed; 409 afterwards. Answers the order.
 */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const shipTo = jsonBody(event, shipToSchema);
  return json(200, await changeShippingAddress(dependencies(), { orderId, channel, shipTo, by: caller(event).actor }));
});
