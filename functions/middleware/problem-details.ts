/**
 * HTTP error mapping: whatever a handler throws becomes the RFC 9457 problem a client can act
 * on; anything unknown is a logged 500 that leaks nothing.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  IdempotencyConflict,
  IllegalReturnTransition,
  IllegalTransition,
  InvalidCursor,
  InvalidReturnRequest,
  InventoryConflict,
  NotRetryable,
  OrderNotAmendable,
  PaymentAlreadyDecided,
  OrderNotFound,
  PolicyVersionConflict,
  ReturnNotAllowed,
  ReturnNotFound,
  StaleVersion,
  TransientError,
  UnknownShipment,
  UnknownSku,
  UnknownWarehouse,
  VersionRequired,
} from '../domain/errors.ts';
import { InvalidSignature, UnknownCarrier } from '../carriers/callback-authentication.ts';
import { etagOf } from '../http/preconditions.ts';
import { HttpProblem, problemResponse, problems } from '../http/problem.ts';
import { logger, metrics } from '../observability.ts';
import { asTransient } from '../retry-policy.ts';

/** A domain error's field (a JSONPath into the body) as problem+json names it, with its JSON Pointer. */
function fieldError({ path, message }: { path: string; message: string }) {
  const pointer = path.replace(/^\$/, '').replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/');
  return { path, pointer, message };
}

/** Known errors to the problem a client can act on; anything else is a 500. */
export function toProblem(caught: unknown): HttpProblem {
  const error = asTransient(caught);
  if (error instanceof HttpProblem) return error;
  if (error instanceof OrderNotFound || error instanceof UnknownSku || error instanceof ReturnNotFound) return problems.notFound(error.message);
  if (error instanceof InvalidReturnRequest) return problems.validation(error.message, error.issues.map(fieldError));
  if (error instanceof ReturnNotAllowed) {
    return problems.conflict('return-not-allowed', 'Not returnable', error.message, error.issues.length > 0 ? { errors: error.issues.map(fieldError) } : {});
  }
  if (error instanceof IllegalReturnTransition) {
    return problems.conflict('illegal-return-transition', 'Not allowed in the return\'s current status', error.message, { currentStatus: error.status });
  }
  if (error instanceof UnknownShipment) return problems.unknownShipment(error.message);
  if (error instanceof UnknownCarrier) return problems.unknownCarrier(error.carrierId);
  if (error instanceof InvalidSignature) return problems.invalidSignature(error.message);
  if (error instanceof UnknownWarehouse) {
    return problems.validation(error.message, [{ path: '$.warehouseId', pointer: '/warehouseId', message: error.message }]);
  }
  if (error instanceof InvalidCursor) return problems.invalidCursor(error.message);
  if (error instanceof IdempotencyConflict) {
    return problems.conflict('idempotency-conflict', 'Idempotency key reused', error.message, { orderId: error.orderId });
  }
  if (error instanceof IllegalTransition) {
    return problems.conflict('illegal-transition', 'Not allowed in the current status', error.message, {
      currentStatus: error.from,
    });
  }
  if (error instanceof NotRetryable) {
    return problems.conflict('not-retryable', 'Nothing to retry', error.message, { currentStatus: error.status });
  }
  if (error instanceof PaymentAlreadyDecided) {
    return problems.conflict('payment-already-decided', 'Payment already decided', error.message, { currentStatus: error.status, decision: error.decision });
  }
  if (error instanceof OrderNotAmendable) {
    return problems.conflict('order-not-amendable', 'No longer changeable', error.message, { currentStatus: error.status });
  }
  if (error instanceof InventoryConflict) return problems.conflict('inventory-conflict', 'Inventory change refused', error.message);
  if (error instanceof StaleVersion) return problems.preconditionFailed(error.message, etagOf(error.liveVersion));
  if (error instanceof VersionRequired) return problems.preconditionRequired(error.message);
  if (error instanceof PolicyVersionConflict) return problems.conflict('policy-version-conflict', 'Policy changed', error.message);
  if (error instanceof TransientError) return problems.unavailable(error.message);
  return problems.internal();
}

export const problemDetails = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const problem = toProblem(request.error);
    if (problem.problem.status >= 500) logger.error('Request failed', { error: request.error as Error });
    metrics.addMetric(`Http${Math.floor(problem.problem.status / 100)}xx`, 'Count', 1);
    request.response = problemResponse(problem, request.event.rawPath);
  },
});
