import { z } from 'zod';
import { dependencies } from '../use-cases/dependencies.ts';
import { closeOrder } from '../use-cases/close-order.ts';
import { stepHandler, stepInputSchema } from './step-handler.ts';

const closeInputSchema = stepInputSchema.extend({
  failedStep: z.string(),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});

export const handler = stepHandler(closeInputSchema, (input) => closeOrder(dependencies(), input));
