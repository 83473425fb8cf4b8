import { httpHandler } from '../http/http-handler.ts';
import { problems } from '../http/problem.ts';
import { policyResponse } from '../http/policy-response.ts';
import { returnPolicyRepository } from '../use-cases/dependencies.ts';

/** GET /policies/returns: the live return policy and its version. */
export const handler = httpHandler(async () => {
  const current = await returnPolicyRepository().current();
  if (!current) throw problems.notFound('No return policy has been saved yet (the built-in default applies); PUT /policies/returns saves one');
  return policyResponse(current);
});
