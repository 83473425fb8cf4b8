import { callerChannel } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { jsonBody } from '../http/request.ts';
import { quoteRequestSchema } from '../http/schemas.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { quoteDelivery } from '../use-cases/quote-delivery.ts';

/** POST /quotes: the fastest, cheapest and greenest delivery options for the token's channel, locking nothing. */
export const handler = httpHandler(async (event) => {
  const channel = callerChannel(event);
  const { lines, destination, customerTier = 'standard' } = jsonBody(event, quoteRequestSchema);
  return json(200, await quoteDelivery(dependencies(), { channel, lines, destination, customerTier }));
});
