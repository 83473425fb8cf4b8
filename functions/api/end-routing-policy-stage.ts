import { httpHandler, json } from '../http/http-handler.ts';
import { problems } from '../http/problem.ts';
import { routingPolicyRepository } from '../use-cases/dependencies.ts';
import { endRoutingPolicyStage } from '../use-cases/routing-policy.ts';

/** DELETE /policies/routing/candidate: ends a staged rollout; the live version routes every order again. */
export const handler = httpHandler(async () => {
  const ended = await endRoutingPolicyStage({ policies: routingPolicyRepository() });
  if (!ended) throw problems.notFound('No routing policy has been saved yet; PUT /policies/routing saves one');
  return json(200, ended);
});
