import { httpHandler } from '../http/http-handler.ts';
import { problems } from '../http/problem.ts';
import { policyResponse } from '../http/policy-response.ts';
import { routingPolicyRepository } from '../use-cases/dependencies.ts';

/** GET /policies/routing: the live routing policy and its version. */
export const handler = httpHandler(async () => {
  const current = await routingPolicyRepository().current();
  if (!current) throw problems.notFound('No routing policy has been saved yet; PUT /policies/routing saves one');
  return policyResponse(current);
});
