/**
 * Workflow step error mapping: errors keep their `name` (OutOfStock, NoRoute, ...), which the
 * state machine's Retry and Catch clauses match on; AWS throttling and timeouts become
 * TransientError, so they are retried rather than failing the order.
 */
import type middy from '@middy/core';
import { asTransient } from '../retry-policy.ts';

export const transientErrors = <Event, Result>(): middy.MiddlewareObj<Event, Result> => ({
  // Replaces the error rather than throwing it, so the observability middlewares still close the invocation.
  onError: async (request) => {
    request.error = asTransient(request.error) as Error;
  },
});
