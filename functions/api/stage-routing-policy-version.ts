import { httpHandler, json } from '../http/http-handler.ts';
import { ifMatch } from '../http/preconditions.ts';
import { problems } from '../http/problem.ts';
import { jsonBody, validate } from '../http/request.ts';
import { policyVersionSchema, routingPolicyStageRequestSchema } from '../http/schemas.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { stageRoutingPolicyVersion } from '../use-cases/routing-policy.ts';

/**
 * POST /policies/routing/versions/{version}/stage: a staged rollout. The saved version routes
 * `share` of orders beside the live one, under the same `If-Match` rules as PUT /policies/routing.
 */
export const handler = httpHandler(async (event) => {
  const version = validate(policyVersionSchema, event.pathParameters?.version, 'policy version');
  const { share } = jsonBody(event, routingPolicyStageRequestSchema);
  const staged = await stageRoutingPolicyVersion(dependencies(), version, share, ifMatch(event));
  if (!staged) throw problems.notFound(`There is no routing policy version ${version}; GET /policies/routing/versions lists them`);
  return json(200, staged);
});
