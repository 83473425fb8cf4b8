import { inspectionRequestSchema } from '../http/schemas.ts';
import { returnStepWithBodyHandler } from '../http/return-step.ts';
import { inspectOrderReturn } from '../use-cases/returns.ts';

/** POST /returns/{returnId}/inspection: sellable units back on hand with INSPECTED, then the refund requested. */
export const handler = returnStepWithBodyHandler(inspectionRequestSchema, (deps, returnId, { lines }, by) => inspectOrderReturn(deps, returnId, lines, by));
