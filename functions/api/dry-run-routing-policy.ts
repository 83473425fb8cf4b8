import { httpHandler, json } from '../http/http-handler.ts';
import { jsonBody } from '../http/request.ts';
import { routingDryRunRequestSchema } from '../http/routing-dry-run-request.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { dryRunRoutingPolicy } from '../use-cases/routing-dry-run.ts';

/** POST /policies/routing/dry-run: a draft policy and the live one on recent orders, changing nothing. */
export const handler = httpHandler(async (event) => {
  const { policy, channels, limit } = jsonBody(event, routingDryRunRequestSchema);
  return json(200, await dryRunRoutingPolicy(dependencies(), policy, { channels, limit }));
});
