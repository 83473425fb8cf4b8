/**
 * Persistent mode: orders, stock and the stream position survive a restart of the
 * local cloud (same data directory), and nothing is replayed or lost across it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'order-pipeline-restart-'));
let cloud: LocalCloud | undefined;

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** As an operator for stock and policy, as the fixture's channel for orders. */
async function json(url: string, init?: RequestInit) {
  const admin = /\/(inventory|policies)\//.test(url);
  const token = await cloud!.issueToken(admin ? { scopes: [SCOPES.admin] } : { scopes: [SCOPES.channel], channel: orderRequest().channel });
  const response = await fetch(url, { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, ...init });
  return { status: response.status, body: (await response.json()) as any };
}

it('keeps orders, stock and the token signing key across a restart', async () => {
  cloud = await startTestCloud({ dataDir, partnersFile: NO_PARTNERS });
  const sku = `KEEP-${Date.now()}`;
  await json(`${cloud.url}/policies/routing`, { method: 'PUT', body: JSON.stringify(DEMO_ROUTING_POLICY_DOCUMENT) });
  await json(`${cloud.url}/inventory/${sku}`, { method: 'PUT', body: JSON.stringify({ warehouses: { 'wh-shanghai': 3 } }) });
  const placed = await json(`${cloud.url}/orders`, {
    method: 'POST',
    body: JSON.stringify(orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }] })),
  });
  expect(placed.status).toBe(201);
  await cloud.settle();
  const before = await json(`${cloud.url}/orders/${placed.body.orderId}`);
  expect(before.body.status).toBe('SHIPMENT_REQUESTED');
  const executionsBefore = cloud.stepFunctions.listExecutions().length;

  const tokenBefore = await cloud.issueToken({ scopes: [SCOPES.channel], channel: orderRequest().channel });
  await cloud.stop();

  cloud = await startTestCloud({ dataDir, partnersFile: NO_PARTNERS });
  await cloud.settle();
  // A token printed by the previous start still works: the signing key is kept with the data.
  const withOldToken = await fetch(`${cloud.url}/orders/${placed.body.orderId}`, { headers: { authorization: `Bearer ${tokenBefore}` } });
  expect(withOldToken.status).toBe(200);
  const after = await json(`${cloud.url}/orders/${placed.body.orderId}`);
  expect(after.body).toEqual(before.body);
  expect((await json(`${cloud.url}/inventory/${sku}`)).body).toMatchObject({ onHand: 3, reserved: 1, availableToPromise: 2 });
  expect((await json(`${cloud.url}/policies/routing`)).body.version).toBe(1);
  // The stream resumes after its checkpoint: the old order does not start a second workflow.
  expect(cloud.stepFunctions.listExecutions()).toHaveLength(0);
  expect(executionsBefore).toBe(1);
  // Two cold starts of the whole local cloud: each takes 20-35 s on a busy 2-core machine.
}, 180_000);
