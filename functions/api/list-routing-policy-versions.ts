import { httpHandler, json } from '../http/http-handler.ts';
import { routingPolicyRepository } from '../use-cases/dependencies.ts';
import { stageOf } from '../use-cases/routing-policy.ts';

/** GET /policies/routing/versions: every saved version, newest first, which one is live and which one is staged. */
export const handler = httpHandler(async () => {
  const policies = routingPolicyRepository();
  const [live, items] = await Promise.all([policies.current(), policies.versions()]);
  return json(200, { live: live?.version ?? null, candidate: live ? stageOf(live.version, live.candidate).candidate : null, items });
});
