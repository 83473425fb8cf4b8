import { idempotencyKeySchema, orderRequestSchema } from '../http/schemas.ts';
import { header, jsonBody, validate } from '../http/request.ts';
import { caller, callerChannel, requireOwnChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { metrics } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { acceptOrderOnce, placeOrderOnce } from '../use-cases/place-order.ts';
import { intakeQueueFromEnvironment } from '../intake/sqs-order-queue.ts';

/** Set when the stage takes orders through the storage-first queue (docs/capacity.md). */
const intakeQueue = intakeQueueFromEnvironment();

/**
 * POST /orders: 201 with the new order, or 200 with the same order when the request is repeated.
 * The order belongs to the token's channel; the idempotency keys are that channel's. On a stage
 * with the intake queue, a new order is validated and queued instead: 202 with its id and the
 * `Location` it will be at once the drainer has landed it.
 */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const body = jsonBody(event, orderRequestSchema);
  requireOwnChannel(body.channel, channel, 'The body');
  // With or without `channel` in the body, the same order request: the same fingerprint.
  const request = { ...body, channel };
  const rawKey = header(event, 'idempotency-key');
  const key = rawKey === undefined ? undefined : validate(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  if (intakeQueue) {
    const accepted = await acceptOrderOnce(dependencies(), intakeQueue, request, key, caller(event).actor);
    if (accepted.accepted) {
      metrics.addMetric('OrdersQueued', 'Count', 1);
      const location = `/orders/${accepted.orderId}`;
      return json(202, { orderId: accepted.orderId, status: 'ACCEPTED', channelOrderId: request.channelOrderId, location }, { Location: location });
    }
    metrics.addMetric('OrdersReplayed', 'Count', 1);
    return json(200, accepted.order, { Location: `/orders/${accepted.order.orderId}` });
  }
  const { created, order } = await placeOrderOnce(dependencies(), request, key, caller(event).actor);
  metrics.addMetric(created ? 'OrdersPlaced' : 'OrdersReplayed', 'Count', 1);
  return json(created ? 201 : 200, order, { Location: `/orders/${order.orderId}` });
});
