/**
 * Restart recovery: the local cloud stops while orders are mid-workflow (the carrier is slow, so
 * they sit in ROUTED waiting for it), and their executions die with it. After a restart on the
 * same data, nothing waits on a human: the reconciler's schedule re-drives every stranded order
 * to a final state, and stock stays exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'order-pipeline-self-healing-'));
let cloud: LocalCloud | undefined;
const api = localApi(() => cloud!);

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Short deadlines, so the test need not wait minutes. */
const SHORT_DEADLINES = { partnersFile: NO_PARTNERS, context: { 'orderPipeline:orderDeadlineSeconds': 'PLACED=1,STOCK_LOCKED=1,ROUTED=1' } };

const FINAL = ['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED', 'FAILED'];

it('moves every order stranded by a stop mid-workflow to a final state after a restart, with stock exact', async () => {
  // Schedules run when the test says: the reconciler's own minute is not what is tested here.
  cloud = await startTestCloud({ ...SHORT_DEADLINES, dataDir, schedules: false, functionEnvironment: { SANDBOX_CARRIER_LATENCY_MS: '20000' } });
  const sku = `HEAL-${Date.now()}`;
  await api.call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT);
  await api.call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 20 } });
  const orderIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const placed = await api.call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 100 }] }));
    expect(placed.status).toBe(201);
    orderIds.push(placed.body.orderId);
  }
  // Every execution is waiting on the slow carrier with the order ROUTED: stop everything now.
  for (const orderId of orderIds) await api.waitForStatus(orderId, ['ROUTED']);
  await cloud.stop();

  cloud = await startTestCloud({ ...SHORT_DEADLINES, dataDir, schedules: false });
  for (const orderId of orderIds) expect((await api.call('GET', `/orders/${orderId}`)).body.status).toBe('ROUTED');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const [schedule] = cloud.topology.schedules;
  const run = await fetch(`${cloud.url}/_local/schedules/${encodeURIComponent(schedule!.name)}/runs`, { method: 'POST' });
  expect(run.status).toBe(200);
  expect(await run.json()).toMatchObject({ overdue: orderIds.length, redriven: orderIds.length, givenUp: 0 });
  await cloud.settle();

  for (const orderId of orderIds) {
    const order = await api.waitForStatus(orderId, FINAL);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    const timeline = (await api.call('GET', `/orders/${orderId}/timeline`)).body;
    expect(JSON.stringify(timeline)).toContain('OrderFulfilmentRedriven');
  }
  expect((await api.call('GET', `/inventory/${sku}`)).body).toMatchObject({ onHand: 20, reserved: 8, availableToPromise: 12 });
}, 240_000);
