import { returnStepHandler } from '../http/return-step.ts';
import { approveOrderReturn } from '../use-cases/returns.ts';

/** POST /returns/{returnId}/approve: an operator approves a requested return, which then gets its carrier label. */
export const handler = returnStepHandler(approveOrderReturn);
