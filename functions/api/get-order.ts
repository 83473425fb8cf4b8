import { orderIdSchema } from '../http/schemas.ts';
import { validate } from '../http/request.ts';
import { callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { channelOrder } from '../use-cases/channel-orders.ts';
import { openOrder } from '../use-cases/personal-data.ts';

/** GET /orders/{orderId}: the caller's own order, with its history and its personal values opened. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const deps = dependencies();
  return json(200, await openOrder(deps.personalData, await channelOrder(deps, orderId, channel)));
});
