/**
 * The middleware stack every HTTP handler shares: Powertools logging, metrics and
 * tracing, and one place that turns errors into problem+json.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { IllegalTransition, InventoryConflict, OrderNotAmendable, OrderNotFound, TransientError, UnknownShipment } from '../domain/errors.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { IdempotencyConflict } from '../store/order-store.ts';
import { PolicyVersionConflict } from '../store/policy-store.ts';
import { asTransient } from '../store/dynamodb.ts';
import { HttpProblem, problemResponse, problems } from './problem.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpRoute = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/** Known errors to the problem a client can act on; anything else is a logged 500. */
export function toProblem(caught: unknown): HttpProblem {
  const error = asTransient(caught);
  if (error instanceof HttpProblem) return error;
  if (error instanceof OrderNotFound) return problems.notFound(error.message);
  if (error instanceof UnknownShipment) return problems.unknownShipment(error.message);
  if (error instanceof IdempotencyConflict) {
    return problems.conflict('idempotency-conflict', 'Idempotency key reused', error.message, { orderId: error.orderId });
  }
  if (error instanceof IllegalTransition) {
    return problems.conflict('illegal-transition', 'Not allowed in the current status', error.message, {
      currentStatus: error.from,
    });
  }
  if (error instanceof OrderNotAmendable) {
    return problems.conflict('order-not-amendable', 'No longer changeable', error.message, { currentStatus: error.status });
  }
  if (error instanceof InventoryConflict) return problems.conflict('inventory-conflict', 'Inventory change refused', error.message);
  if (error instanceof PolicyVersionConflict) return problems.conflict('policy-version-conflict', 'Policy changed', error.message);
  if (error instanceof TransientError) return problems.unavailable(error.message);
  return problems.internal();
}

const problemDetails = (): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult> => ({
  onError: async (request) => {
    const problem = toProblem(request.error);
    if (problem.problem.status >= 500) logger.error('Request failed', { error: request.error as Error });
    metrics.addMetric(`Http${Math.floor(problem.problem.status / 100)}xx`, 'Count', 1);
    request.response = problemResponse(problem, request.event.rawPath);
  },
});

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function httpHandler(route: HttpRoute) {
  return middy<APIGatewayProxyEventV2, HttpResult>(route)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(problemDetails());
}
