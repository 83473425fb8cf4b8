/**
 * The observability every handler kind shares, assembled once: structured logs with the Lambda
 * context, and metrics flushed per invocation. Traces are the Lambda runtime's (active tracing):
 * the functions bundle no tracing SDK (docs/decisions/0007-tracing-by-the-runtime.md), so no
 * response or error of a handler, which may carry personal values, can reach a trace.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '../observability.ts';

export function withPowertools<Event, Result>(handler: (event: Event, context: Context) => Promise<Result>) {
  return middy<Event, Result>(handler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
