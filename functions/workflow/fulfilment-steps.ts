/**
 * The fulfilment workflow's Task states, one named export each (the state's name), each one call
 * into its use case. Every step Lambda deploys this module and runs its own export
 * (`index.<StateName>`), so a step is declared by adding a Task to the definition and its export here.
 * Each step's Lambda bundles only its own export (lib/pipeline-function.ts, `singleExportEntry`):
 * the constructions are marked pure so that esbuild drops the steps a bundle does not export.
 */
import * as z from 'zod';
import { stepDependencies } from '../use-cases/dependencies.ts';
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

export const LockStock = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => lockStock(stepDependencies(), orderId));
export const RouteOrder = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => routeOrder(stepDependencies(), orderId));
export const RequestShipment = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => requestShipment(stepDependencies(), orderId));
export const CancelShipment = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => cancelShipment(stepDependencies(), orderId));
export const ReleaseAllocation = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => releaseAllocation(stepDependencies(), orderId));
export const ReleaseStock = /* @__PURE__ */ stepHandler(stepInputSchema, ({ orderId }) => releaseStock(stepDependencies(), orderId));
export const CloseOrder = /* @__PURE__ */ stepHandler(closeInputSchema, (input) => closeOrder(stepDependencies(), input));
