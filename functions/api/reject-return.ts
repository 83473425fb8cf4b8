import { returnStepHandler } from '../http/return-step.ts';
import { rejectOrderReturn } from '../use-cases/returns.ts';

/** POST /returns/{returnId}/reject: an operator rejects a requested return; its units can be returned again. */
export const handler = returnStepHandler(rejectOrderReturn);
