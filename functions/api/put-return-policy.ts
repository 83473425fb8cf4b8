import { returnPolicySchema } from '../domain/return-policy.ts';
import { httpHandler } from '../http/http-handler.ts';
import { ifMatch } from '../http/preconditions.ts';
import { policyResponse } from '../http/policy-response.ts';
import { jsonBody } from '../http/request.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { saveReturnPolicy } from '../use-cases/returns.ts';

/** PUT /policies/returns: validates and saves the next version, conditional like the routing policy (If-Match, 412, 428). */
export const handler = httpHandler(async (event) => {
  const policy = jsonBody(event, returnPolicySchema);
  return policyResponse(await saveReturnPolicy(dependencies(), policy, ifMatch(event)));
});
