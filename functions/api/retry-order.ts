import { operatorActionHandler } from '../http/operator-action.ts';
import { retryOrder } from '../use-cases/operator-actions.ts';

/** POST /orders/{orderId}/retry: an operator re-drives an order stranded past its deadline. */
export const handler = operatorActionHandler(retryOrder);
