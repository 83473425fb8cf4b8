import { orderIdSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { returnsOfOrder } from '../use-cases/returns.ts';

/** GET /orders/{orderId}/returns: the returns of a channel's own order, or of any order for an operator. */
export const handler = httpHandler(async (event) => {
  const who = visibility(caller(event));
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  return json(200, { orderId, items: await returnsOfOrder(dependencies(), orderId, who) });
});
