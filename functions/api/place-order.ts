import { idempotencyKeySchema, orderRequestSchema } from '../http/schemas.ts';
import { header, jsonBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { metrics } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { placeOrderOnce } from '../use-cases/place-order.ts';

/** POST /orders: 201 with the new order, or 200 with the same order when the request is repeated. */
export const handler = httpHandler(async (event) => {
  const request = jsonBody(event, orderRequestSchema);
  const rawKey = header(event, 'idempotency-key');
  const key = rawKey === undefined ? undefined : validate(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  const { created, order } = await placeOrderOnce(dependencies(), request, key);
  metrics.addMetric(created ? 'OrdersPlaced' : 'OrdersReplayed', 'Count', 1);
  return json(created ? 201 : 200, order, { Location: `/orders/${order.orderId}` });
});
