/**
 * Safe routing-policy changes on the local cloud, over HTTP: a draft tried on real recent orders
 * without changing anything, the saved versions listed, a conditional rollback, and a staged
 * rollout that routes a share of orders, chosen by their ids, under a changed policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY, DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { rolloutArm } from '../../functions/domain/routing/rollout.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';

const CHANNEL = 'policy-lab';
/** The demo policy with Shanghai drained: what an operator might try before a stocktake there. */
const DRAINED_SHANGHAI = {
  ...DEMO_ROUTING_POLICY_DOCUMENT,
  description: 'Shanghai drained for a stocktake',
  rules: [
    ...DEMO_ROUTING_POLICY.rules,
    {
      name: 'drain-shanghai',
      conditions: { all: [{ fact: 'totalWeightKg', operator: 'greaterThanInclusive', value: 0 }] },
      event: { type: 'exclude-warehouse', params: { warehouse: 'wh-shanghai' } },
    },
  ],
};

let cloud: LocalCloud;
const api = localApi(() => cloud, CHANNEL);
const sku = `LAB-${Date.now()}`;
const placed: string[] = [];

async function placeAndShip(): Promise<any> {
  const response = await api.call('POST', '/orders', orderRequest({ channel: CHANNEL, lines: [{ sku, quantity: 1, unitPrice: 990 }] }));
  expect(response.status).toBe(201);
  placed.push(response.body.orderId);
  return api.waitForStatus(response.body.orderId, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED']);
}

const dryRun = (policy: unknown, limit = 10) => api.call('POST', '/policies/routing/dry-run', { policy, channels: [CHANNEL], limit });

beforeAll(async () => {
  // A stage must decide the very next order, not one after the functions' 30 s policy cache.
  cloud = await startTestCloud({ functionEnvironment: { ROUTING_POLICY_CACHE_SECONDS: '0' } });
  expect((await api.call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  expect((await api.call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 60, 'wh-guangzhou': 60 } })).status).toBe(200);
  for (let i = 0; i < 3; i += 1) expect((await placeAndShip()).route.parcels[0].warehouseId).toBe('wh-shanghai');
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('POST /policies/routing/dry-run', () => {
  it('decides the newest orders under the live policy and the draft, and answers the deltas', async () => {
    const inventoryBefore = (await api.call('GET', `/inventory/${sku}`)).body;
    const response = await dryRun(DRAINED_SHANGHAI);
    expect(response.status).toBe(200);
    const report = response.body;
    expect(report.liveVersion).toBe(1);
    expect(report.orders.map((order: any) => order.orderId)).toEqual([...placed].reverse());
    for (const order of report.orders) {
      expect(order.live).toMatchObject({ routed: true, warehouses: ['wh-shanghai'] });
      expect(order.draft).toMatchObject({ routed: true, warehouses: ['wh-guangzhou'] });
      expect(order.changed).toBe(true);
    }
    expect(report.changed).toBe(3);
    expect(report.live).toMatchObject({ routed: 3, rejected: 0, splitRate: 0 });
    expect(report.delta.routed).toBe(0);
    // Guangzhou is farther from Shanghai than Shanghai itself: the draft cannot be cheaper or greener.
    expect(report.delta.costMinor).toBe(report.draft.costMinor - report.live.costMinor);
    expect(report.delta.carbonGrams).toBeGreaterThan(0);
    expect(report.delta.averagePromisedDays).toBeGreaterThanOrEqual(0);

    // Nothing changed: the live policy, the stock, the orders.
    const live = await api.call('GET', '/policies/routing');
    expect(live.body.version).toBe(1);
    expect((await api.call('GET', `/inventory/${sku}`)).body).toEqual(inventoryBefore);
    for (const orderId of placed) expect((await api.call('GET', `/orders/${orderId}`)).body.route.parcels[0].warehouseId).toBe('wh-shanghai');
  });

  it('finds no difference when the draft is the live policy', async () => {
    const { body } = await dryRun(DEMO_ROUTING_POLICY_DOCUMENT);
    expect(body.changed).toBe(0);
    expect(body.delta).toEqual({ routed: 0, rejected: 0, costMinor: 0, carbonGrams: 0, averagePromisedDays: 0, splitRate: 0 });
  });

  it('tries at most `limit` orders, newest first', async () => {
    const { body } = await dryRun(DEMO_ROUTING_POLICY_DOCUMENT, 2);
    expect(body.orders.map((order: any) => order.orderId)).toEqual([placed[2], placed[1]]);
  });

  it('refuses an invalid draft or sample with the failing fields', async () => {
    const response = await api.call('POST', '/policies/routing/dry-run', {
      policy: { ...DEMO_ROUTING_POLICY_DOCUMENT, weights: { ...DEMO_ROUTING_POLICY_DOCUMENT.weights, factors: { cost: -1 } } },
      channels: [],
      limit: 1000,
    });
    expect(response.status).toBe(400);
    const paths = response.body.errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['$.channels', '$.limit']));
    expect(paths.some((path: string) => path.startsWith('$.policy.weights'))).toBe(true);
  });
});

describe('routing policy versions and rollback', () => {
  it('lists versions newest first and rolls back as a new version, conditionally', async () => {
    const saved = await api.call('PUT', '/policies/routing', DRAINED_SHANGHAI, { 'If-Match': '"1"' });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    const versions = await api.call('GET', '/policies/routing/versions');
    expect(versions.status).toBe(200);
    expect(versions.body.items.map((v: any) => v.version)).toEqual([2, 1]);
    expect(versions.body.live).toBe(2);
    expect(versions.body.items[0]).not.toHaveProperty('policy');

    expect((await api.call('POST', '/policies/routing/versions/1/activate')).status).toBe(428);
    expect((await api.call('POST', '/policies/routing/versions/1/activate', undefined, { 'If-Match': '"1"' })).status).toBe(412);
    expect((await api.call('POST', '/policies/routing/versions/99/activate', undefined, { 'If-Match': '*' })).status).toBe(404);
    expect((await api.call('POST', '/policies/routing/versions/zero/activate', undefined, { 'If-Match': '*' })).status).toBe(400);

    const rollback = await api.call('POST', '/policies/routing/versions/1/activate', undefined, { 'If-Match': '"2"' });
    expect(rollback.status).toBe(200);
    expect(rollback.headers.get('etag')).toBe('"3"');
    expect(rollback.body).toMatchObject({ version: 3, activatedFrom: 1, policy: { description: DEMO_ROUTING_POLICY_DOCUMENT.description } });
    const live = await api.call('GET', '/policies/routing');
    expect(live.body).toMatchObject({ version: 3, activatedFrom: 1 });
    expect((await api.call('GET', '/policies/routing/versions')).body.items.map((v: any) => [v.version, v.activatedFrom])).toEqual([
      [3, 1],
      [2, undefined],
      [1, undefined],
    ]);
  });
});

describe('a staged rollout', () => {
  it('routes the orders whose id hashes into the share under the staged version, names the arm on each decision, and ends', async () => {
    // Version 2 drains Shanghai; version 3, live, is the demo policy again (the rollback above).
    expect((await api.call('POST', '/policies/routing/versions/2/stage', { share: 0.5 }, { 'If-Match': '"2"' })).status).toBe(412);
    const staged = await api.call('POST', '/policies/routing/versions/2/stage', { share: 0.5 }, { 'If-Match': '"3"' });
    expect(staged).toMatchObject({ status: 200, body: { live: 3, candidate: { version: 2, share: 0.5 } } });
    expect((await api.call('GET', '/policies/routing/versions')).body.candidate).toMatchObject({ version: 2, share: 0.5 });

    const decided: any[] = [];
    // Until both arms have decided (each batch of six misses one arm with probability 1/32).
    while (new Set(decided.map((order) => order.route.explanation.rollout.arm)).size < 2 && decided.length < 24) {
      decided.push(...(await Promise.all(Array.from({ length: 6 }, placeAndShip))));
    }
    for (const order of decided) {
      expect(order.status).toBe('SHIPMENT_REQUESTED');
      const arm = rolloutArm(order.orderId, 0.5);
      expect(order.route.explanation.rollout).toEqual({ arm, share: 0.5, candidateVersion: 2, liveVersion: 3 });
      expect(order.route.policyVersion).toBe(arm === 'candidate' ? 2 : 3);
      expect(order.route.parcels[0].warehouseId).toBe(arm === 'candidate' ? 'wh-guangzhou' : 'wh-shanghai');
    }
    expect(new Set(decided.map((order) => order.route.explanation.rollout.arm))).toEqual(new Set(['live', 'candidate']));

    const ended = await api.call('DELETE', '/policies/routing/candidate');
    expect(ended).toMatchObject({ status: 200, body: { live: 3, candidate: null } });
    const after = await placeAndShip();
    expect(after.route.explanation).not.toHaveProperty('rollout');
    expect(after.route).toMatchObject({ policyVersion: 3, parcels: [{ warehouseId: 'wh-shanghai' }] });
  });
});
