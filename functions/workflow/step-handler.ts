/**
 * The workflow step handler kind: a fulfilment step as the Lambda handler of a Step Functions
 * Task state, its input validated, with Powertools observability and the step error mapping
 * (functions/middleware/transient-errors.ts).
 */
import * as z from 'zod';
import { withPowertools } from '../middleware/powertools.ts';
import { transientErrors } from '../middleware/transient-errors.ts';
import { logger } from '../observability.ts';
import { orderIdSchema } from '../http/identifiers.ts';

export const stepInputSchema = z.object({ orderId: orderIdSchema });

export function stepHandler<Schema extends z.ZodType, Result>(
  inputSchema: Schema,
  step: (input: z.output<Schema>) => Promise<Result>,
) {
  return withPowertools(async (event: unknown): Promise<Result> => {
    const result = await step(inputSchema.parse(event));
    logger.info('Step done', { result: result as Record<string, unknown> });
    return result;
  }).use(transientErrors());
}
