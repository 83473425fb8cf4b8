import { refundConfirmationSchema } from '../http/schemas.ts';
import { returnStepWithBodyHandler } from '../http/return-step.ts';
import { recordRefund } from '../use-cases/returns.ts';

/** POST /returns/{returnId}/refund: the payment partner's confirmation, REFUNDED. */
export const handler = returnStepWithBodyHandler(refundConfirmationSchema, (deps, returnId, { reference }, by) => recordRefund(deps, returnId, reference, by));
