/**
 * The fulfilment workflow's Task states, one named export each (the state's name), each one call
 * into its use case. Every step Lambda deploys this module and runs its own export
 * (`index.<StateName>`), so a step is declared by adding a Task to the definition and its export here.
 */
import * as z from 'zod';
import { dependencies } from '../use-cases/dependencies.ts';
import { closeOrder } from '../use-cases/close-order.ts';
import { lockStock, releaseStock } from '../use-cases/lock-stock.ts';
import { cancelShipment, requestShipment } from '../use-cases/request-shipment.ts';
import { releaseAllocation, routeOrder } from '../use-cases/route-order.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

/** CloseOrder runs from the Catch chain: it also gets the step that failed and its error. */
const closeInputSchema = stepInputSchema.extend({
  failedStep: z.string(),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});

export const LockStock = stepHandler(stepInputSchema, ({ orderId }) => lockStock(dependencies(), orderId));
export const RouteOrder = stepHandler(stepInputSchema, ({ orderId }) => routeOrder(dependencies(), orderId));
export const RequestShipment = stepHandler(stepInputSchema, ({ orderId }) => requestShipment(dependencies(), orderId));
export const CancelShipment = stepHandler(stepInputSchema, ({ orderId }) => cancelShipment(dependencies(), orderId));
export const ReleaseAllocation = stepHandler(stepInputSchema, ({ orderId }) => releaseAllocation(dependencies(), orderId));
export const ReleaseStock = stepHandler(stepInputSchema, ({ orderId }) => releaseStock(dependencies(), orderId));
export const CloseOrder = stepHandler(closeInputSchema, (input) => closeOrder(dependencies(), input));
