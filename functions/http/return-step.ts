/**
 * The handler kind of an operator's step on one return (`POST /returns/{returnId}/<step>`): the
 * return id from the path, the body (when the step takes one) validated, the token's subject as
 * who acted, the return as it stands after.
 */
import type * as z from 'zod';
import type { Actor } from '../domain/order.ts';
import type { Return } from '../domain/returns.ts';
import { dependencies, type Dependencies } from '../use-cases/dependencies.ts';
import { caller } from './caller.ts';
import { httpHandler, json } from './http-handler.ts';
import { jsonBody, validate } from './request.ts';
import { returnIdSchema } from './identifiers.ts';

export function returnStepHandler(step: (deps: Dependencies, returnId: string, by: Actor) => Promise<Return>) {
  return httpHandler(async (event) => {
    const { actor } = caller(event);
    const returnId = validate(returnIdSchema, event.pathParameters?.returnId, 'return id');
    return json(200, await step(dependencies(), returnId, actor));
  });
}

export function returnStepWithBodyHandler<Schema extends z.ZodType>(
  schema: Schema,
  step: (deps: Dependencies, returnId: string, body: z.infer<Schema>, by: Actor) => Promise<Return>,
) {
  return httpHandler(async (event) => {
    const { actor } = caller(event);
    const returnId = validate(returnIdSchema, event.pathParameters?.returnId, 'return id');
    return json(200, await step(dependencies(), returnId, jsonBody(event, schema), actor));
  });
}
