import { routingPolicySchema } from '../domain/routing/routing-policy.ts';
import { httpHandler } from '../http/http-handler.ts';
import { ifMatch } from '../http/preconditions.ts';
import { policyResponse } from '../http/policy-response.ts';
import { jsonBody } from '../http/request.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { saveRoutingPolicy } from '../use-cases/routing-policy.ts';

/**
 * PUT /policies/routing: validates and saves the next version, live for new routing
 * decisions within the cache lifetime. An invalid policy is refused with every failing
 * path and the current one stays. Once a policy exists, `If-Match` with the ETag read
 * (or `*`) is required (428 without), and a version no longer live answers 412.
 */
export const handler = httpHandler(async (event) => {
  const policy = jsonBody(event, routingPolicySchema);
  return policyResponse(await saveRoutingPolicy(dependencies(), policy, ifMatch(event)));
});
