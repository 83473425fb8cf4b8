import { TransientError } from '../domain/errors.ts';
import { AGAIN, retrying } from '../retry-policy.ts';

/** Returned by an attempt whose commit found the order (or its stock) changed since it was read. */
export const CONFLICT: typeof AGAIN = AGAIN;

/**
 * The loop of every use case that writes: read, decide with the pure domain, commit; on a
 * conflict (the commit's OrderChanged and kin, or a write conflict inside DynamoDB) read
 * again and decide again, after the retry policy's wait, before it would cost one of the
 * workflow's few retries. Spent attempts become a TransientError with `message`.
 */
export function retryOnConflict<T>(message: string, attempt: () => Promise<T | typeof CONFLICT>): Promise<T> {
  return retrying(attempt, {
    retryable: (error) => error instanceof TransientError,
    exhausted: (lastError) => new TransientError(message, { cause: lastError }),
  });
}
