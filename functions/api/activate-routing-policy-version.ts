import { httpHandler } from '../http/http-handler.ts';
import { policyResponse } from '../http/policy-response.ts';
import { ifMatch } from '../http/preconditions.ts';
import { problems } from '../http/problem.ts';
import { validate } from '../http/request.ts';
import { policyVersionSchema } from '../http/identifiers.ts';
import { currentTime, routingPolicyRepository } from '../use-cases/dependencies.ts';
import { activateRoutingPolicyVersion } from '../use-cases/routing-policy.ts';

/**
 * POST /policies/routing/versions/{version}/activate: a rollback. The earlier version's document
 * becomes the next version, under the same `If-Match` rules as PUT /policies/routing.
 */
export const handler = httpHandler(async (event) => {
  const version = validate(policyVersionSchema, event.pathParameters?.version, 'policy version');
  const saved = await activateRoutingPolicyVersion({ policies: routingPolicyRepository(), now: currentTime }, version, ifMatch(event));
  if (!saved) throw problems.notFound(`There is no routing policy version ${version}; GET /policies/routing/versions lists them`);
  return policyResponse(saved);
});
