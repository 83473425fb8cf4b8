/**
 * The observability every handler kind shares, assembled once: Powertools tracing (a segment
 * per invocation), structured logs with the Lambda context, and metrics flushed per invocation.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../observability.ts';

/**
 * Responses and errors stay out of traces: a response may be an order with its personal
 * values opened, and an error message may quote what it failed on.
 */
export function withPowertools<Event, Result>(handler: (event: Event, context: Context) => Promise<Result>) {
  return middy<Event, Result>(handler).use(captureLambdaHandler(tracer, { captureResponse: false })).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
