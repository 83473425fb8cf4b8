import { idempotencyKeySchema, orderIdSchema, returnRequestSchema } from '../http/schemas.ts';
import { header, jsonBody, validate } from '../http/request.ts';
import { caller, callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { requestOrderReturn } from '../use-cases/returns.ts';

/**
 * POST /orders/{orderId}/returns: 201 with the new return (approved and labelled at once when the
 * policy says so), or 200 with the same return for a repeat under the same Idempotency-Key.
 */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const request = jsonBody(event, returnRequestSchema);
  const rawKey = header(event, 'idempotency-key');
  const idempotencyKey = rawKey === undefined ? undefined : validate(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  const result = await requestOrderReturn(dependencies(), {
    orderId,
    channel,
    request,
    by: caller(event).actor,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });
  return json(result.created ? 201 : 200, result.return, { Location: `/returns/${result.return.returnId}` });
});
