import { returnIdSchema } from '../http/identifiers.ts';
import { validate } from '../http/request.ts';
import { caller, visibility } from '../http/caller.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { visibleReturn } from '../use-cases/returns.ts';

/** GET /returns/{returnId}: a return of a channel's own order, or any return for an operator. */
export const handler = httpHandler(async (event) => {
  const who = visibility(caller(event));
  const returnId = validate(returnIdSchema, event.pathParameters?.returnId, 'return id');
  return json(200, await visibleReturn(dependencies(), returnId, who));
});
