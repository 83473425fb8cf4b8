import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';

/** How many versions one answer lists: enough to pick a rollback target. */
const LISTED_VERSIONS = 100;

/** GET /policies/routing/versions: the saved versions, newest first, without their documents. */
export const handler = httpHandler(async () => json(200, { versions: await dependencies().policies.versions(LISTED_VERSIONS) }));
