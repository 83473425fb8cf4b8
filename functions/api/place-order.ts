import { idempotencyKeySchema, orderRequestSchema } from '../http/schemas.ts';
import { header, jsonBody, validate } from '../http/request.ts';
import { caller, callerChannel, requireOwnChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { metrics } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { placeOrderOnce } from '../use-cases/place-order.ts';

/**
 * POST /orders: 201 with the new order, or 200 with the same order when the request is repeated.
 * The order belongs to the token's channel; the idempotency keys are that channel's.
 */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const body = jsonBody(event, orderRequestSchema);
  requireOwnChannel(body.channel, channel, 'The body');
  // With or without `channel` in the body, the same order request: the same fingerprint.
  const request = { ...body, channel };
  const rawKey = header(event, 'idempotency-key');
  const key = rawKey === undefined ? undefined : validate(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  const { created, order } = await placeOrderOnce(dependencies(), request, key, caller(event).actor);
  metrics.addMetric(created ? 'OrdersPlaced' : 'OrdersReplayed', 'Count', 1);
  return json(created ? 201 : 200, order, { Location: `/orders/${order.orderId}` });
});
