/**
 * The payment gate over HTTP, in the local cloud synthesized with a channels file whose channels lock
 * stock at placement (web-shop) and at payment (marketplace), both with the shortest payment wait the
 * file allows (60 s): pending → paid → SHIPMENT_REQUESTED; pending → failed → CANCELLED; pending →
 * timeout (the order's timer, or the reconciler's schedule run by the test once the wait is over) → CANCELLED with stock
 * restored. Every event the flows emit conforms to its checked-in contract.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { checkedInDetailValidator } from '../support/event-contracts.ts';
import { localApi } from '../support/local-api.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';

const PAYMENT_CHANNELS = fileURLToPath(new URL('../fixtures/payment-channels.json', import.meta.url));
const MODES = [
  { channel: 'web-shop', lockStockAt: 'placement', heldWhilePending: 2 },
  { channel: 'marketplace', lockStockAt: 'payment', heldWhilePending: 0 },
] as const;
const ON_HAND = 20;

let cloud: LocalCloud | undefined;
const sku = `PAYGATE-${Date.now()}`;
const admin = localApi(() => cloud!);
/** Orders awaiting a payment that never comes, one per channel, placed first so their wait runs during the other tests. */
const abandoned = new Map<string, { orderId: string; dueAt: string }>();
const orderIds: string[] = [];

const skuFor = (channel: string) => `${sku}-${channel}`;
const availableOf = async (channel: string) => (await admin.call('GET', `/inventory/${skuFor(channel)}`)).body.availableToPromise as number;

async function placePending(channel: string) {
  const api = localApi(() => cloud!, channel);
  const placed = await api.call(
    'POST',
    '/orders',
    orderRequest({
      channel,
      channelOrderId: `PAY-${channel}-${orderIds.length}-${Date.now()}`,
      lines: [{ sku: skuFor(channel), quantity: 2, unitPrice: 1250 }],
      payment: { status: 'pending', provider: 'sandbox-pay', reference: `pay_${orderIds.length}` },
    }),
  );
  expect(placed.status).toBe(201);
  expect(placed.body).toMatchObject({ status: 'PAYMENT_PENDING', payment: { status: 'pending' } });
  orderIds.push(placed.body.orderId);
  return placed.body as { orderId: string; payment: { dueAt: string; lockStockAt: string } };
}

/** Polls until `check` holds, as the events that move the order are asynchronous. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  cloud = await startTestCloud({ partnersFile: NO_PARTNERS, channelsFile: PAYMENT_CHANNELS, schedules: false });
  await admin.call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT);
  for (const { channel } of MODES) {
    expect((await admin.call('PUT', `/inventory/${skuFor(channel)}`, { warehouses: { 'wh-shanghai': ON_HAND } })).status).toBe(200);
    const order = await placePending(channel);
    abandoned.set(channel, { orderId: order.orderId, dueAt: order.payment.dueAt });
  }
});

afterAll(async () => {
  await cloud?.stop();
});

describe.each(MODES)('$channel (stock locked at $lockStockAt)', ({ channel, lockStockAt, heldWhilePending }) => {
  const api = localApi(() => cloud!, channel);

  it('pending → paid → SHIPMENT_REQUESTED; a repeat is 200 and changes nothing, a contradiction 409', async () => {
    const order = await placePending(channel);
    expect(order.payment.lockStockAt).toBe(lockStockAt);
    if (heldWhilePending > 0) {
      await eventually(() => api.call('GET', `/orders/${order.orderId}`), (r) => r.body.payment?.stockLocked === true);
    }
    await cloud!.settle();
    expect((await api.call('GET', `/orders/${order.orderId}`)).body.status).toBe('PAYMENT_PENDING');

    const paid = await api.call('POST', `/orders/${order.orderId}/payment`, { status: 'authorized', reference: 'pay_ok_1' });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe(heldWhilePending > 0 ? 'STOCK_LOCKED' : 'PLACED');
    const shipped = await api.waitForStatus(order.orderId, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED', 'CANCELLED']);
    expect(shipped.status).toBe('SHIPMENT_REQUESTED');

    const repeat = await api.call('POST', `/orders/${order.orderId}/payment`, { status: 'authorized', reference: 'pay_ok_1' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.version).toBe(shipped.version);
    const contradiction = await api.call('POST', `/orders/${order.orderId}/payment`, { status: 'failed', reference: 'pay_ok_1' });
    expect(contradiction.status).toBe(409);
    expect(contradiction.headers.get('content-type')).toContain('application/problem+json');
    expect(contradiction.body.type).toContain('payment-already-decided');
  });

  it('pending → failed → CANCELLED (PAYMENT_FAILED), its stock given back', async () => {
    const order = await placePending(channel);
    if (heldWhilePending > 0) {
      await eventually(() => api.call('GET', `/orders/${order.orderId}`), (r) => r.body.payment?.stockLocked === true);
    }
    const failed = await api.call('POST', `/orders/${order.orderId}/payment`, { status: 'failed', reference: 'pay_no_1' });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_FAILED' });
    const timeline = (await api.call('GET', `/orders/${order.orderId}/timeline`)).body;
    expect(JSON.stringify(timeline)).toContain('OrderPaymentFailed');
  });

  it('refuses a payment report for another channel\'s order (404) and a malformed one (400 naming the field)', async () => {
    const theirs = abandoned.get(MODES.find((mode) => mode.channel !== channel)!.channel)!;
    expect((await api.call('POST', `/orders/${theirs.orderId}/payment`, { status: 'authorized', reference: 'x1' })).status).toBe(404);
    const mine = abandoned.get(channel)!;
    const bad = await api.call('POST', `/orders/${mine.orderId}/payment`, { status: 'maybe', reference: 'someone@example.com' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');
    expect(JSON.stringify(bad.body)).toContain('reference');
  });
});

it('times out: once the wait is over each order\'s payment-timeout timer cancels it PAYMENT_TIMEOUT, stock restored, and leaves the reconciler nothing', async () => {
  const latest = Math.max(...[...abandoned.values()].map(({ dueAt }) => Date.parse(dueAt)));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, latest - Date.now() + 500)));
  // The cloud runs no recurring schedule on its own here (schedules: false): only the one-time timers can cancel.
  for (const [channel, { orderId }] of abandoned) {
    const api = localApi(() => cloud!, channel);
    expect(await api.waitForStatus(orderId, ['CANCELLED'])).toMatchObject({ cancellationReason: 'PAYMENT_TIMEOUT' });
    const late = await api.call('POST', `/orders/${orderId}/payment`, { status: 'authorized', reference: 'pay_late' });
    expect(late.status).toBe(409);
  }
  const reconciler = cloud!.topology.schedules.find((candidate) => /reconcil/i.test(candidate.name));
  expect(reconciler).toBeDefined();
  const run = await fetch(`${cloud!.url}/_local/schedules/${encodeURIComponent(reconciler!.name)}/runs`, { method: 'POST' });
  expect(run.status).toBe(200);
  expect(((await run.json()) as { paymentsTimedOut: number }).paymentsTimedOut).toBe(0);
  await cloud!.settle();
  // Each channel: one order shipped (2 units), the failed and the timed-out ones gave theirs back.
  for (const { channel } of MODES) expect(await availableOf(channel)).toBe(ON_HAND - 2);
}, 120_000);

it('emits only events that conform to their checked-in contracts, the payment events among them', async () => {
  const validate = checkedInDetailValidator();
  const types = new Set<string>();
  for (const orderId of orderIds) {
    for (const event of (await admin.call('GET', `/_local/events?orderId=${orderId}`)).body as Array<{ 'detail-type': string; detail: unknown }>) {
      types.add(event['detail-type']);
      expect(validate(event.detail), event['detail-type']).toEqual([]);
      // The provider's payment reference never leaves the order.
      expect(JSON.stringify(event.detail)).not.toMatch(/pay_(ok|no|late|\d)/);
    }
  }
  for (const type of ['OrderPlaced', 'OrderStockLocked', 'OrderPaymentAuthorized', 'OrderPaymentFailed', 'OrderCancelled', 'OrderShipmentRequested']) {
    expect(types).toContain(type);
  }
});
