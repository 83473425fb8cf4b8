/**
 * Operators over HTTP on the local cloud: the support and admin scopes read and list every
 * channel's orders while a channel still sees only its own, hold stops an order before its
 * shipment request and release moves it on (the re-drive of ADR 0002, by the operator), retry
 * refuses what there is nothing to retry, an admin cancels any order, and every change is on
 * the timeline with who made it and what it changed (personal fields: test/domain/order-audit.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { OrderChanges, untilOrder } from '../support/order-changes.ts';
import { tokenApi } from '../support/token-api.ts';
import { documentAjv, responseValidator } from '../support/openapi.ts';

let cloud: LocalCloud;
const tokens: Record<'admin' | 'support' | 'web' | 'live', string> = { admin: '', support: '', web: '', live: '' };
const ajv = documentAjv();

beforeAll(async () => {
  // A slow carrier keeps each order ROUTED for a while, long enough to hold it there (seeing ROUTED
  // and acting took 1.1 s on a loaded 2-core machine, too close to a 1.5 s carrier).
  cloud = await startTestCloud({ functionEnvironment: { SANDBOX_CARRIER_LATENCY_MS: '4000' } });
  tokens.admin = await cloud.issueToken({ scopes: [SCOPES.admin], clientId: 'ops-admin' });
  tokens.support = await cloud.issueToken({ scopes: [SCOPES.support], clientId: 'ops-support' });
  tokens.web = await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', clientId: 'web-shop-client' });
  tokens.live = await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'live-stream', clientId: 'live-stream-client' });
  expect((await call('PUT', '/policies/routing', 'admin', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  expect((await call('PUT', `/inventory/${SKU}`, 'admin', { warehouses: { 'wh-shanghai': 100, 'wh-guangzhou': 100 } })).status).toBe(200);
  // Held and cancelled within the carrier's 4 s: their functions loaded beforehand, not on a cold start inside that window.
  await cloud.warmRoutes(['POST /orders/{orderId}/hold', 'POST /orders/{orderId}/cancel']);
});

afterAll(async () => {
  await cloud?.stop();
});

const SKU = `OPS-${Date.now()}`;

const call = tokenApi(() => cloud, tokens);
const changes = new OrderChanges(() => cloud);

const { channel: _channel, ...ORDER } = orderRequest();
async function place(as: 'web' | 'live'): Promise<string> {
  const channelOrderId = `OPS-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const placed = await call('POST', '/orders', as, { ...ORDER, channelOrderId, lines: [{ sku: SKU, quantity: 1, unitPrice: 100 }] });
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

async function waitFor(orderId: string, predicate: (order: any) => boolean, what: string) {
  const read = async () => (await call('GET', `/orders/${orderId}`, 'support')).body;
  return untilOrder(changes, orderId, read, predicate, 60_000, (body) => new Error(`order ${orderId} never ${what} (${body.status})`));
}

describe('reads across channels', () => {
  it('lets support and admin read and list any channel, and keeps channels to their own', async () => {
    const webOrder = await place('web');
    const liveOrder = await place('live');
    for (const operator of ['support', 'admin'] as const) {
      expect((await call('GET', `/orders/${liveOrder}`, operator)).body.channel).toBe('live-stream');
      expect((await call('GET', `/orders/${webOrder}/timeline`, operator)).status).toBe(200);
    }
    expect((await call('GET', `/orders/${liveOrder}`, 'web')).status).toBe(404);
    expect((await call('GET', `/orders/${liveOrder}/timeline`, 'web')).status).toBe(404);

    const byChannel = await call('GET', '/orders?channel=live-stream&limit=100', 'support');
    expectMatches('/orders', 'get', byChannel.body);
    expect(byChannel.body.items.map((item: any) => item.orderId)).toContain(liveOrder);
    expect(byChannel.body.items.every((item: any) => item.channel === 'live-stream')).toBe(true);

    const byCustomer = await call('GET', `/orders?customerId=${encodeURIComponent(ORDER.customer.id)}&limit=100`, 'admin');
    expect(byCustomer.body.items.map((item: any) => item.orderId)).toEqual(expect.arrayContaining([webOrder, liveOrder]));

    // Orders in flight are listed by change time once they come to rest (ADR 0006), not by an in-flight status.
    const inFlight = await call('GET', '/orders?channel=live-stream&status=ROUTED', 'support');
    expect(inFlight.status).toBe(400);
    expect(inFlight.body.errors).toEqual([expect.objectContaining({ path: '$.status', message: expect.stringContaining('overdue=true') })]);
    for (const orderId of [webOrder, liveOrder]) await waitFor(orderId, (order) => order.status === 'SHIPMENT_REQUESTED', 'came to rest');
    const changed = await call('GET', `/orders?updatedSince=${new Date(Date.now() - 60_000).toISOString()}&limit=100`, 'support');
    expect(changed.status).toBe(200);
    const ids = changed.body.items.map((item: any) => item.orderId);
    expect(ids).toEqual(expect.arrayContaining([webOrder, liveOrder]));
    const times = changed.body.items.map((item: any) => item.updatedAt);
    expect(times).toEqual([...times].sort());

    // A channel still lists only its own, and cannot name another.
    expect((await call('GET', '/orders?channel=live-stream', 'web')).status).toBe(403);
    expect((await call('GET', '/orders?updatedSince=2026-01-01T00:00:00Z', 'web')).status).toBe(400);
  });

  it('asks operators what to list, naming the field', async () => {
    const response = await call('GET', '/orders', 'support');
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ path: '$.channel' });
  });

  it('keeps operator actions from channels and admin actions from support', async () => {
    const orderId = await place('web');
    for (const action of ['hold', 'release', 'retry']) expect((await call('POST', `/orders/${orderId}/${action}`, 'web')).status).toBe(403);
    expect((await call('PUT', `/inventory/${SKU}`, 'support', { shards: 1 })).status).toBe(403);
    expect((await call('POST', `/orders/${orderId}/cancel`, 'support')).status).toBe(403);
  });
});

describe('hold, release and retry', () => {
  it('holds an order before its shipment request and moves it on when released, with who did each on the timeline', async () => {
    const orderId = await place('web');
    await waitFor(orderId, (order) => order.status === 'ROUTED', 'reached ROUTED');
    const held = await call('POST', `/orders/${orderId}/hold`, 'support');
    expect(held.status).toBe(200);
    expect(held.body.hold.by).toEqual({ kind: 'operator', id: 'ops-support' });

    // The execution in flight finds it held at its shipment request and ends there.
    await cloud.settle();
    expect((await call('GET', `/orders/${orderId}`, 'support')).body.status).toBe('ROUTED');
    expect((await call('GET', '/orders?overdue=true&limit=100', 'support')).body.items.map((item: any) => item.orderId)).not.toContain(orderId);
    expect((await call('POST', `/orders/${orderId}/retry`, 'support')).body).toMatchObject({ status: 409, type: expect.stringContaining('not-retryable') });

    const released = await call('POST', `/orders/${orderId}/release`, 'admin');
    expect(released.status).toBe(200);
    expect(released.body.hold).toBeUndefined();
    await waitFor(orderId, (order) => order.status === 'SHIPMENT_REQUESTED', 'reached SHIPMENT_REQUESTED after release');

    const timeline = await call('GET', `/orders/${orderId}/timeline`, 'web');
    expectMatches('/orders/{orderId}/timeline', 'get', timeline.body);
    const entries = timeline.body.entries as any[];
    expect(entries.map((entry) => [entry.amendment ?? entry.to, entry.by])).toEqual([
      ['PLACED', { kind: 'channel', id: 'web-shop-client' }],
      ['STOCK_LOCKED', { kind: 'step', id: 'LockStock' }],
      ['ROUTED', { kind: 'step', id: 'RouteOrder' }],
      ['HELD', { kind: 'operator', id: 'ops-support' }],
      ['FULFILMENT_REDRIVEN', { kind: 'operator', id: 'ops-admin' }],
      ['SHIPMENT_REQUESTED', { kind: 'step', id: 'RequestShipment' }],
    ]);
    expect(entries[3]).toMatchObject({ from: 'ROUTED', changed: [{ field: 'hold', from: false, to: true }] });
    expect(entries[4].changed).toEqual(expect.arrayContaining([{ field: 'hold', from: true, to: false }]));
    expect(entries[2].changed).toEqual([{ field: 'route' }]);
  });

  it('refuses to retry an order out of flight', async () => {
    const orderId = await place('web');
    await waitFor(orderId, (order) => order.status === 'SHIPMENT_REQUESTED', 'reached SHIPMENT_REQUESTED');
    const response = await call('POST', `/orders/${orderId}/retry`, 'admin');
    expect(response).toMatchObject({ status: 409, body: { currentStatus: 'SHIPMENT_REQUESTED' } });
  });

  it('lets an admin cancel any channel\'s order, recorded as theirs', async () => {
    const orderId = await place('live');
    await waitFor(orderId, (order) => order.status === 'ROUTED', 'reached ROUTED');
    expect((await call('POST', `/orders/${orderId}/hold`, 'admin')).status).toBe(200);
    const cancelled = await call('POST', `/orders/${orderId}/cancel`, 'admin');
    expect(cancelled.status).toBe(200);
    const last = cancelled.body.history.at(-1);
    // Who cancelled is the entry's `by`; the reason is a code like any channel's (none given: UNSPECIFIED).
    expect(last).toMatchObject({ from: 'ROUTED', to: 'CANCELLED', by: { kind: 'operator', id: 'ops-admin' }, reason: 'UNSPECIFIED' });
    expect(last.changed).toEqual([{ field: 'cancellationReason', from: null, to: 'UNSPECIFIED' }]);
  });
});

function expectMatches(path: string, method: string, body: unknown) {
  const validator = responseValidator(ajv, method, path, 200);
  expect(validator(body), JSON.stringify(validator.errors)).toBe(true);
}
