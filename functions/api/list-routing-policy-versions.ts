import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';

/** GET /policies/routing/versions: every saved version, newest first, and which one is live. */
export const handler = httpHandler(async () => {
  const { policies } = dependencies();
  const [live, items] = await Promise.all([policies.current(), policies.versions()]);
  return json(200, { live: live?.version ?? null, items });
});
