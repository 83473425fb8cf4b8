/**
 * The operations console in a real browser (Debian's Chromium driven by playwright-core) against
 * the local cloud: orders placed through the API appear with their states, an overdue order is
 * retried and an order in flight held from the page, and the API shows both as the operator's;
 * stock and the routing-policy versions show too.
 * Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { tokenApi } from '../support/token-api.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const SKU = `CONSOLE-${Date.now()}`;

let cloud: LocalCloud;
let browser: Browser;
let page: Page;
const tokens = { admin: '', web: '', live: '' };

beforeAll(async () => {
  cloud = await startTestCloud({
    partnersFile: NO_PARTNERS,
    // Short deadlines and a slow carrier: every order waits in ROUTED long enough to be overdue,
    // and the reconciler's schedule is off, so only the operator moves it on.
    context: { 'orderPipeline:orderDeadlineSeconds': 'PLACED=2,STOCK_LOCKED=2,ROUTED=2' },
    schedules: false,
    functionEnvironment: { SANDBOX_CARRIER_LATENCY_MS: '10000' },
  });
  tokens.admin = await cloud.issueToken({ scopes: [SCOPES.admin], clientId: 'console-admin' });
  tokens.web = await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop' });
  tokens.live = await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'live-stream' });
  expect((await call('PUT', '/policies/routing', 'admin', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  expect((await call('PUT', `/inventory/${SKU}`, 'admin', { warehouses: { 'wh-shanghai': 50, 'wh-guangzhou': 30 }, shards: 2 })).status).toBe(200);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
});

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

const call = tokenApi(() => cloud, tokens);

const { channel: _channel, ...ORDER } = orderRequest();
async function place(as: 'web' | 'live', quantity: number): Promise<string> {
  const channelOrderId = `UI-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const placed = await call('POST', '/orders', as, { ...ORDER, channelOrderId, lines: [{ sku: SKU, quantity, unitPrice: 1250 }] });
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

const row = (table: 'recent' | 'attention', orderId: string) => page.locator(`#${table} tr[data-order-id="${orderId}"]`);

it('shows orders placed through the API with their states, and retries and holds them from the page', async () => {
  const retried = await place('web', 1);
  const held = await place('live', 2);
  const plain = await place('web', 3);

  await page.goto(`${cloud.url}/console/#token=${tokens.admin}`);
  // The token leaves the address bar once read.
  await expect.poll(() => page.url()).not.toContain('token=');
  for (const orderId of [retried, held, plain]) await row('recent', orderId).waitFor();

  // Overdue (2 s deadlines, a 10 s carrier): listed as needing attention with a retry. On a loaded
  // machine the order can move on between the page's poll and the click, and the API refuses the
  // retry of an order within its deadline; the page lists it again once it is overdue, and it is
  // clicked again.
  await expect
    .poll(
      async () => {
        const retry = row('attention', retried).locator('button[data-action="retry"]');
        if (await retry.isVisible()) await retry.click({ timeout: 1_000 }).catch(() => undefined);
        return (await call('GET', `/orders/${retried}`, 'admin')).body.history;
      },
      { timeout: 60_000, interval: 2_000 },
    )
    .toContainEqual(expect.objectContaining({ amendment: 'FULFILMENT_REDRIVEN', by: { kind: 'operator', id: 'console-admin' } }));

  await row('recent', held).locator('button[data-action="hold"]').click();
  await row('attention', held).locator('[data-held]').waitFor();
  expect((await call('GET', `/orders/${held}`, 'admin')).body.hold).toMatchObject({ by: { kind: 'operator', id: 'console-admin' } });

  // The others reach the carrier; the held one stays ROUTED, and the page shows each as the API has it.
  await row('recent', plain).locator('[data-status="SHIPMENT_REQUESTED"]').waitFor({ timeout: 60_000 });
  await row('recent', retried).locator('[data-status="SHIPMENT_REQUESTED"]').waitFor({ timeout: 60_000 });
  await cloud.settle();
  expect((await call('GET', `/orders/${held}`, 'live')).body.status).toBe('ROUTED');
  await row('recent', held).locator('[data-status="ROUTED"]').waitFor();

  await row('recent', retried).click();
  await page.locator('#detail-body .timeline li').filter({ hasText: 'by operator console-admin' }).first().waitFor();
  await page.locator('#stock [data-sku]').first().waitFor({ timeout: 30_000 });
  await page.locator('#policies tr[data-policy-version="1"]').filter({ hasText: 'LIVE' }).waitFor();
  await page.screenshot({ path: `${SHOTS}console.png`, fullPage: true });

  await row('recent', held).click();
  await page.locator('#detail-body .timeline li').filter({ hasText: 'held' }).waitFor();
  await page.screenshot({ path: `${SHOTS}console-held-order.png`, fullPage: true });
});
