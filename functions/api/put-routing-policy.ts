import { routingPolicySchema } from '../domain/routing-policy.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { header, jsonBody } from '../http/request.ts';
import { problems } from '../http/problem.ts';
import { dependencies } from '../use-cases/dependencies.ts';

/**
 * PUT /policies/routing: validates and saves the next version, live for new routing
 * decisions within the cache lifetime. An invalid policy is refused with every failing
 * path and the current one stays. `If-Match: "<version>"` guards against overwriting
 * a version the operator has not seen.
 */
export const handler = httpHandler(async (event) => {
  const policy = jsonBody(event, routingPolicySchema);
  const deps = dependencies();
  const current = await deps.policies.current();
  const ifMatch = header(event, 'if-match');
  if (ifMatch !== undefined && ifMatch.replaceAll('"', '') !== String(current?.version ?? 0)) {
    throw problems.conflict('policy-version-conflict', 'Policy changed', `The live policy is version ${current?.version ?? 0}, not ${ifMatch}`);
  }
  const saved = await deps.policies.save({ ...policy, version: (current?.version ?? 0) + 1 }, current?.version, deps.now());
  return json(200, { version: saved.version, updatedAt: saved.updatedAt, policy: saved.document }, { ETag: `"${saved.version}"` });
});
