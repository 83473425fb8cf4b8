import { operatorActionHandler } from '../http/operator-action.ts';
import { releaseOrder } from '../use-cases/operator-actions.ts';

/** POST /orders/{orderId}/release: an operator ends a hold; the order moves on from where it stands. */
export const handler = operatorActionHandler(releaseOrder);
