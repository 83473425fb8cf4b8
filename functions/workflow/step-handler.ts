/**
 * Wraps a fulfilment step as a Lambda handler for a Step Functions Task state.
 * Errors keep their `name` (OutOfStock, NoRoute, TransientError, ...), which the
 * state machine's Retry and Catch clauses match on; AWS throttling and timeouts
 * become TransientError, so they are retried rather than failing the order.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger, metrics, tracer } from '../observability.ts';
import { orderIdSchema } from '../http/schemas.ts';
import { asTransient } from '../store/dynamodb.ts';

export const stepInputSchema = z.object({ orderId: orderIdSchema });

export function stepHandler<Schema extends z.ZodType, Result>(
  inputSchema: Schema,
  step: (input: z.output<Schema>) => Promise<Result>,
) {
  return middy(async (event: unknown): Promise<Result> => {
    const input = inputSchema.parse(event);
    const result = await step(input).catch((error: unknown) => {
      throw asTransient(error);
    });
    logger.info('Step done', { result: result as Record<string, unknown> });
    return result;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
