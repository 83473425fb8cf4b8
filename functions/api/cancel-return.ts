import { returnIdSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { cancelOrderReturn } from '../use-cases/returns.ts';

/** POST /returns/{returnId}/cancel: a channel its own orders' returns, an admin any, before the parcel moves. */
export const handler = httpHandler(async (event) => {
  const who = caller(event);
  const returnId = validate(returnIdSchema, event.pathParameters?.returnId, 'return id');
  return json(200, await cancelOrderReturn(dependencies(), returnId, visibility(who), who.actor));
});
