/**
 * The one retry policy of the code base: a bounded number of attempts, each waiting
 * a random time up to an exponentially growing cap ("full jitter", AWS Architecture
 * Blog, "Exponential Backoff And Jitter"), so writers retrying the same hot item
 * spread out instead of colliding again. Every retry loop goes through `retrying`, and
 * which failures of an AWS call are worth retrying is decided once, by `asTransient`.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import { TransientError } from './domain/errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The cap of the first retry's wait; it doubles with every attempt... */
  baseMs: number;
  /** ...up to this. */
  capMs: number;
}

/** Read-decide-write loops and batch reads: short waits, as the competing writer is usually done within milliseconds. */
export const CONFLICT_POLICY: RetryPolicy = { attempts: 8, baseMs: 10, capMs: 500 };

/** Returned by an attempt that should be tried again after the policy's wait. */
export const AGAIN = Symbol('again');

export interface Retrying {
  policy?: RetryPolicy;
  /** Errors worth another attempt; any other is thrown at once. */
  retryable?: (error: unknown) => boolean;
  /** The error thrown when the attempts are spent. */
  exhausted: (lastError: unknown) => Error;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before attempt `attempt` (1 = the first retry). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}

/** Runs `attempt` until it returns something other than AGAIN, within the policy's bounds. */
export async function retrying<T>(attempt: (index: number) => Promise<T | typeof AGAIN>, options: Retrying): Promise<T> {
  const policy = options.policy ?? CONFLICT_POLICY;
  let lastError: unknown;
  for (let index = 0; index < policy.attempts; index++) {
    if (index > 0) await (options.sleep ?? sleep)(backoffMs(index, policy, options.random));
    try {
      const result = await attempt(index);
      if (result !== AGAIN) return result;
    } catch (error) {
      if (!options.retryable?.(error)) throw error;
      lastError = error;
    }
  }
  throw options.exhausted(lastError);
}

/**
 * An AWS call that failed for a reason a later retry can fix (throttling, a transient
 * network or server fault, as the SDK's own retry strategy classifies them), as a
 * TransientError, so the workflow retries the step and the HTTP API answers 503 with Retry-After.
 */
export function asTransient(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TransientError) return error;
  const sdkError = error as SdkError;
  const retryable = isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError) || sdkError.$retryable !== undefined;
  return retryable ? new TransientError(`${error.name}: ${error.message}`, { cause: error }) : error;
}

type SdkError = Parameters<typeof isThrottlingError>[0];
