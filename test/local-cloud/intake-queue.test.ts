/**
 * The storage-first intake over HTTP on the local cloud (`orderPipeline:orderIntake=queue`): POST /orders answers
 * 202 with the order's id and Location, the drainer lands it and it is fulfilled as usual; bad input is refused
 * before anything is queued; copies of a request, sent before or after it landed, make one order; and a burst
 * for scarce stock oversells nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { tokenApi } from '../support/token-api.ts';

let cloud: LocalCloud;
const tokens = { admin: '', web: '' };
const call = tokenApi(() => cloud, tokens);
const { channel: _channel, ...ORDER } = orderRequest();
const ENDS = ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED'];

beforeAll(async () => {
  cloud = await startTestCloud({
    partnersFile: NO_PARTNERS,
    context: { 'orderPipeline:orderIntake': 'queue', 'orderPipeline:intakeDrainConcurrency': 2 },
  });
  tokens.admin = await cloud.issueToken({ scopes: [SCOPES.admin], clientId: 'ops-admin' });
  tokens.web = await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', clientId: 'web-shop-client' });
  expect((await call('PUT', '/policies/routing', 'admin', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
});

async function waitForStatus(orderId: string, statuses: string[]) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { status, body } = await call('GET', `/orders/${orderId}`, 'admin');
    if (status === 200 && statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is ${status === 200 ? body.status : status}, expected ${statuses.join('|')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const channelOrderId = (label: string) => `Q-${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

describe('POST /orders through the intake queue', () => {
  it('answers 202 with the id and Location the order lands at, and the order is fulfilled as usual', async () => {
    const sku = `QUEUED-${Date.now()}`;
    expect((await call('PUT', `/inventory/${sku}`, 'admin', { warehouses: { 'wh-shanghai': 5 } })).status).toBe(200);
    const response = await fetch(`${cloud.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.web}` },
      body: JSON.stringify({ ...ORDER, channelOrderId: channelOrderId('one'), lines: [{ sku, quantity: 2, unitPrice: 100 }] }),
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { orderId: string; status: string; location: string };
    expect(accepted).toMatchObject({ status: 'ACCEPTED', orderId: expect.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/) });
    expect(response.headers.get('location')).toBe(`/orders/${accepted.orderId}`);
    expect(await waitForStatus(accepted.orderId, ENDS)).toMatchObject({ status: 'SHIPMENT_REQUESTED', channel: 'web-shop' });
    expect((await call('GET', `/inventory/${sku}`, 'admin')).body).toMatchObject({ onHand: 5, availableToPromise: 3 });
  });

  it('refuses bad input with the failing fields before anything is queued', async () => {
    const before = Object.values(cloud.queueDepths()).reduce((a, b) => a + b, 0);
    const refused = await call('POST', '/orders', 'web', { ...ORDER, channelOrderId: channelOrderId('bad'), lines: [{ sku: 'TEA-001', quantity: 0, unitPrice: 100 }] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('lines');
    expect(Object.values(cloud.queueDepths()).reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('makes one order of copies of a request, sent together before it landed or again after, and refuses its key for another request', async () => {
    const sku = `QUEUED-COPIES-${Date.now()}`;
    expect((await call('PUT', `/inventory/${sku}`, 'admin', { warehouses: { 'wh-shanghai': 10 } })).status).toBe(200);
    const request = { ...ORDER, channelOrderId: channelOrderId('copies'), lines: [{ sku, quantity: 1, unitPrice: 100 }] };
    const copies = await Promise.all([1, 2, 3].map(() => call('POST', '/orders', 'web', request)));
    const ids = new Set(copies.map((copy) => copy.body.orderId));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids] as [string];
    await waitForStatus(orderId, ENDS);
    await cloud.settle();
    const again = await call('POST', '/orders', 'web', request);
    expect(again).toMatchObject({ status: 200, body: { orderId, status: 'SHIPMENT_REQUESTED' } });
    // One unit locked and shipped, however many copies came.
    expect((await call('GET', `/inventory/${sku}`, 'admin')).body).toMatchObject({ onHand: 10, availableToPromise: 9 });
    const conflicting = await call('POST', '/orders', 'web', { ...request, lines: [{ sku, quantity: 2, unitPrice: 100 }] });
    expect(conflicting.status).toBe(409);
  });

  it('lands a burst for scarce stock without overselling: every accepted order ends, as many shipped as there were units', async () => {
    const sku = `QUEUED-BURST-${Date.now()}`;
    expect((await call('PUT', `/inventory/${sku}`, 'admin', { warehouses: { 'wh-shanghai': 12 } })).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('POST', '/orders', 'web', { ...ORDER, channelOrderId: channelOrderId(`burst${i}`), lines: [{ sku, quantity: 1, unitPrice: 100 }] })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    const ended = await Promise.all(answers.map((answer) => waitForStatus(answer.body.orderId, ENDS)));
    const statuses = ended.map((order) => order.status as string);
    expect(statuses.filter((s) => s === 'SHIPMENT_REQUESTED')).toHaveLength(12);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(8);
    expect((await call('GET', `/inventory/${sku}`, 'admin')).body).toMatchObject({ onHand: 12, availableToPromise: 0 });
  });
});
