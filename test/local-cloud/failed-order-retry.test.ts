/**
 * An operator's retry of a FAILED order over HTTP on the local cloud (ADR 0004): while every
 * carrier refuses shipment requests an order fails and is compensated; once the carriers are
 * back (the cloud restarted on the same data without the fault), support retries it and it
 * reaches SHIPMENT_REQUESTED from a fresh stock lock, with stock exact and the retry on its
 * timeline and the bus. A channel cannot retry, and a REJECTED order stays refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { FAILED_AND_RETRIED } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { tokenApi } from '../support/token-api.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'order-pipeline-failed-retry-'));
let cloud: LocalCloud | undefined;
const tokens: Record<'admin' | 'support' | 'web' | 'live', string> = { admin: '', support: '', web: '', live: '' };
const call = tokenApi(() => cloud!, tokens);

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function issueTokens(on: LocalCloud) {
  tokens.admin = await on.issueToken({ scopes: [SCOPES.admin], clientId: 'ops-admin' });
  tokens.support = await on.issueToken({ scopes: [SCOPES.support], clientId: 'ops-support' });
  tokens.web = await on.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', clientId: 'web-shop-client' });
  tokens.live = await on.issueToken({ scopes: [SCOPES.channel], channel: 'live-stream', clientId: 'live-stream-client' });
}

async function waitForStatus(orderId: string, statuses: string[]) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { body } = await call('GET', `/orders/${orderId}`, 'support');
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} stayed ${body.status}, expected ${statuses.join('|')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ENDS = ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED'];
const { channel: _channel, ...ORDER } = orderRequest();

async function place(sku: string): Promise<string> {
  const channelOrderId = `RETRY-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const placed = await call('POST', '/orders', 'web', { ...ORDER, channelOrderId, lines: [{ sku, quantity: 2, unitPrice: 100 }] });
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

it('retries a FAILED order to SHIPMENT_REQUESTED with stock exact, for operators only, and keeps REJECTED refused', async () => {
  // Every RequestShipment attempt fails: its retrier runs all its attempts, without waiting out the backoff between them.
  cloud = await startTestCloud({ dataDir, partnersFile: NO_PARTNERS, functionEnvironment: { SANDBOX_CARRIER_FAILURE_RATE: '1' }, workflowRetryIntervalMs: 50 });
  await issueTokens(cloud);
  const sku = `RETRY-${Date.now()}`;
  const scarce = `${sku}-SCARCE`;
  expect((await call('PUT', '/policies/routing', 'admin', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  expect((await call('PUT', `/inventory/${sku}`, 'admin', { warehouses: { 'wh-shanghai': 10 } })).status).toBe(200);
  expect((await call('PUT', `/inventory/${scarce}`, 'admin', { warehouses: { 'wh-shanghai': 1 } })).status).toBe(200);

  const failedId = await place(sku);
  const rejectedId = await place(scarce);
  expect(await waitForStatus(failedId, ENDS)).toMatchObject({ status: 'FAILED', failureReason: 'RequestShipment: TransientError' });
  expect(await waitForStatus(rejectedId, ENDS)).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });
  expect((await call('GET', `/inventory/${sku}`, 'admin')).body).toMatchObject({ onHand: 10, reserved: 0, availableToPromise: 10 });
  await cloud.settle();
  await cloud.stop();

  // The carriers are back.
  cloud = await startTestCloud({ dataDir, partnersFile: NO_PARTNERS });
  await issueTokens(cloud);
  expect((await call('GET', `/orders/${failedId}`, 'support')).body.status).toBe('FAILED');

  // Retrying is an operator's lever: the order's own channel and another are refused at the gateway.
  for (const channel of ['web', 'live'] as const) expect((await call('POST', `/orders/${failedId}/retry`, channel)).status).toBe(403);
  expect((await call('GET', `/orders/${failedId}`, 'live')).status).toBe(404);

  const retried = await call('POST', `/orders/${failedId}/retry`, 'support');
  expect(retried).toMatchObject({ status: 200, body: { status: 'PLACED', fulfilmentRedrives: { count: 1 } } });
  expect(retried.body.failureReason).toBeUndefined();
  const shipped = await waitForStatus(failedId, ENDS);
  expect(shipped.status).toBe('SHIPMENT_REQUESTED');
  expect(shipped.shipment.parcels.length).toBeGreaterThan(0);
  expect((await call('GET', `/inventory/${sku}`, 'admin')).body).toMatchObject({ onHand: 10, reserved: 2, availableToPromise: 8 });

  const timeline = (await call('GET', `/orders/${failedId}/timeline`, 'web')).body.entries as any[];
  expect(timeline.map((entry) => entry.amendment ?? entry.to)).toEqual(FAILED_AND_RETRIED);
  expect(timeline[4]).toMatchObject({
    from: 'FAILED',
    to: 'PLACED',
    by: { kind: 'operator', id: 'ops-support' },
    event: { detailType: 'OrderFulfilmentRedriven' },
  });
  expect(Date.parse(timeline[4].at)).toBeGreaterThan(Date.parse(timeline[3].at));

  await cloud.settle();
  const events = (await (await fetch(`${cloud.url}/_local/events?orderId=${failedId}`)).json()) as any[];
  const redriven = events.find((event) => event['detail-type'] === 'OrderFulfilmentRedriven');
  expect(redriven?.detail).toMatchObject({ previousStatus: 'FAILED', status: 'PLACED', data: { redrive: { count: 1 } } });

  const refused = await call('POST', `/orders/${rejectedId}/retry`, 'support');
  expect(refused).toMatchObject({ status: 409, body: { type: expect.stringContaining('not-retryable'), currentStatus: 'REJECTED' } });
  expect(refused.body.detail).toContain('business refusal');
  // Done: a second retry of the shipped order finds nothing to retry.
  expect((await call('POST', `/orders/${failedId}/retry`, 'admin')).status).toBe(409);
}, 300_000);
