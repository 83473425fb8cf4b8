/**
 * The handler kind of an operator's action on one order (`POST /orders/{orderId}/<action>`, no
 * body): the order id from the path, the token's subject as who acted, the order as it stands after.
 */
import type { Actor, Order } from '../domain/order.ts';
import { dependencies, type Dependencies } from '../use-cases/dependencies.ts';
import { caller } from './caller.ts';
import { httpHandler, json } from './http-handler.ts';
import { validate } from './request.ts';
import { orderIdSchema } from './identifiers.ts';

export function operatorActionHandler(action: (deps: Dependencies, orderId: string, by: Actor) => Promise<Order>) {
  return httpHandler(async (event) => {
    const { actor } = caller(event);
    const orderId = validate(orderIdSchema, event.pathParameters?.orderId, 'order id');
    return json(200, await action(dependencies(), orderId, actor));
  });
}
