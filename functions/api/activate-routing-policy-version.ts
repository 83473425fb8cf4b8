import { httpHandler, json } from '../http/http-handler.ts';
import { etagOf, ifMatch } from '../http/preconditions.ts';
import { problems } from '../http/problem.ts';
import { validate } from '../http/request.ts';
import { policyVersionSchema } from '../http/schemas.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { activateRoutingPolicyVersion } from '../use-cases/routing-policy.ts';

/** POST /policies/routing/versions/{version}/activate: a rollback, saved as the next version. */
export const handler = httpHandler(async (event) => {
  const version = validate(policyVersionSchema, event.pathParameters?.version, 'policy version');
  const saved = await activateRoutingPolicyVersion(dependencies(), version, ifMatch(event));
  if (!saved) throw problems.notFound(`The routing policy has no version ${version}`);
  return json(
    200,
    { version: saved.version, updatedAt: saved.updatedAt, restoredFrom: saved.restoredFrom, policy: saved.document },
    { ETag: etagOf(saved.version) },
  );
});
