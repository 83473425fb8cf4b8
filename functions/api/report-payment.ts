import { orderIdSchema, paymentReportSchema } from '../http/schemas.ts';
import { jsonBody, validate } from '../http/request.ts';
import { caller, callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { reportPayment } from '../use-cases/report-payment.ts';

/** POST /orders/{orderId}/payment: the channel's own order; `{ status: "authorized" | "failed", reference }`. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
  const report = jsonBody(event, paymentReportSchema);
  return json(200, await reportPayment(dependencies(), { orderId, channel, report, by: caller(event).actor }));
});
