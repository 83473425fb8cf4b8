import { createHash } from 'node:crypto';
import { landedAt, placeOrder, type Actor, type Order, type OrderRequest } from '../domain/order.ts';
import type { Dependencies } from './dependencies.ts';
import type { AcceptedOrder, CreateOrderResult, OrderIntakeQueue } from './ports.ts';
import { IdempotencyConflict, TransientError } from '../domain/errors.ts';
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
  const { payment } = deps.channels(request.channel);
  const order = placeOrder(request, deps.newOrderId(), deps.now(), by, payment);
  const sealed = await sealOrder(deps.personalData, order);
  const result = await landOrder(deps, { order: sealed, requestHash: requestFingerprint(request), idempotencyKey });
  return { ...result, order: withPlainValuesOf(result.order, order) };
}

/** Writes an order once with its keys, as {@link placeOrderOnce} and the intake queue's drainer both do. */
export function landOrder(deps: Pick<Dependencies, 'orders'>, accepted: AcceptedOrder): Promise<CreateOrderResult> {
  return retrying(() => deps.orders.create(accepted.order, accepted.requestHash, accepted.idempotencyKey), {
    policy: CREATE_POLICY,
    retryable: (error) => error instanceof TransientError,
    exhausted: (lastError) => lastError as Error,
  });
}

/** The intake queue's drainer: lands an accepted order with its clock starting now (order.ts `landedAt`). */
export function landQueuedOrder(deps: Pick<Dependencies, 'orders' | 'now'>, accepted: AcceptedOrder): Promise<CreateOrderResult> {
  return landOrder(deps, { ...accepted, order: landedAt(accepted.order, deps.now()) });
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id a queued order gets, the same for every request with its channel's order id: two copies
 * of a request accepted before either landed answer the same `Location`, and the drainer lands
 * one order for both. Shaped as a ULID (26 Crockford characters, the first at most 7) so every
 * route takes it; its time part carries no time.
 */
export function queuedOrderId(channel: string, channelOrderId: string): string {
  const digest = createHash('sha256').update(`queued-order\0${channel}\0${channelOrderId}`).digest();
  let bits = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) >> 2n;
  let id = '';
  for (let i = 0; i < 26; i++, bits >>= 5n) id = CROCKFORD[Number(bits & 31n)] + id;
  return id;
}

export type AcceptOrderResult = { accepted: true; orderId: string } | { accepted: false; order: Order };

/**
 * The storage-first intake (docs/capacity.md, "Bursts beyond quotas"): the order is validated and
 * sealed like {@link placeOrderOnce}, then queued instead of written, and the drainer lands it with
 * {@link landOrder}. A request that already created an order answers with it, as a repeat does on
 * the direct path; one that reuses a key for another request is refused the same way.
 */
export async function acceptOrderOnce(
  deps: Dependencies,
  queue: OrderIntakeQueue,
  request: OrderRequest,
  idempotencyKey?: string,
  by?: Actor,
): Promise<AcceptOrderResult> {
  const requestHash = requestFingerprint(request);
  const earlier = await deps.orders.placedWith(request.channel, request.channelOrderId, idempotencyKey);
  if (earlier) {
    if (earlier.requestHash !== requestHash) throw new IdempotencyConflict(earlier.orderId);
    const order = await deps.orders.get(earlier.orderId);
    if (!order) throw new TransientError(`Order ${earlier.orderId} is not readable yet`);
    return { accepted: false, order: withPlainValuesOf(order, placeOrder(request, order.orderId, order.placedAt, by)) };
  }
  const order = placeOrder(request, queuedOrderId(request.channel, request.channelOrderId), deps.now(), by, deps.channels(request.channel).payment);
  await queue.enqueue({ order: await sealOrder(deps.personalData, order), requestHash, ...(idempotencyKey ? { idempotencyKey } : {}) });
  return { accepted: true, orderId: order.orderId };
}
