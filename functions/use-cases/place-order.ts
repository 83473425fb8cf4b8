import { createHash } from 'node:crypto';
import { placeOrder, type Actor, type OrderRequest } from '../domain/order.ts';
import type { Dependencies } from './dependencies.ts';
import type { CreateOrderResult } from './ports.ts';
import { TransientError } from '../domain/errors.ts';
import { retrying, type RetryPolicy } from '../retry-policy.ts';
import { sealOrder, withPlainValuesOf } from './personal-data.ts';

/** Identical requests racing each other conflict inside DynamoDB; one wins, the others then read its order. */
const CREATE_POLICY: RetryPolicy = { attempts: 4, baseMs: 20, capMs: 500 };

/** JSON with sorted keys, so the same request hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(request: object): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * Places the order once per (channel, channelOrderId) and per Idempotency-Key, its personal
 * values sealed. The answer carries them as sent: a repeat matched the same request, so
 * nothing here needs to decrypt.
 */
export async function placeOrderOnce(
  deps: Dependencies,
  request: OrderRequest,
  idempotencyKey?: string,
  by?: Actor,
): Promise<CreateOrderResult> {
  const order = placeOrder(request, deps.newOrderId(), deps.now(), by);
  const fingerprint = requestFingerprint(request);
  const sealed = await sealOrder(deps.personalData, order);
  const result = await retrying(() => deps.orders.create(sealed, fingerprint, idempotencyKey), {
    policy: CREATE_POLICY,
    retryable: (error) => error instanceof TransientError,
    exhausted: (lastError) => lastError as Error,
  });
  return { ...result, order: withPlainValuesOf(result.order, order) };
}
