import { operatorActionHandler } from '../http/operator-action.ts';
import { holdOrderInFlight } from '../use-cases/operator-actions.ts';

/** POST /orders/{orderId}/hold: an operator stops the order before its shipment is requested. */
export const handler = operatorActionHandler(holdOrderInFlight);
