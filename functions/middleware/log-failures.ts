/**
 * Error handling for handlers whose caller retries (stream batches, pipe enrichments): the
 * failure is logged with its invocation's context and left unhandled, so the caller retries it.
 */
import type middy from '@middy/core';
import { logger } from '../observability.ts';

export const logFailures = <Event, Result>(what: string): middy.MiddlewareObj<Event, Result> => ({
  onError: async (request) => {
    logger.error(`${what} failed; it will be retried`, { error: request.error as Error });
  },
});
