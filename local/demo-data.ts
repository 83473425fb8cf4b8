import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { DEMO_RETURN_POLICY_DOCUMENT } from '../functions/domain/return-policy.ts';

/**
 * Demo data for a first start: the demo routing policy, and stock for a few SKUs across warehouses in different
 * regions, written through the API like an operator would, so a first order works.
 */
export const DEMO_STOCK: Record<string, { warehouses: Record<string, number>; shards?: number }> = {
  'TEA-001': { warehouses: { 'wh-shanghai': 120, 'wh-guangzhou': 80, 'wh-beijing': 60 } },
  'MUG-002': { warehouses: { 'wh-shanghai': 40, 'wh-chengdu': 25 } },
  'CHILI-OIL-003': { warehouses: { 'wh-chengdu': 200, 'wh-guangzhou': 30 } },
  // A flash-sale SKU spread over counter shards, as one would set it up before the sale.
  'FLASH-SALE-100': { warehouses: { 'wh-shanghai': 30, 'wh-guangzhou': 20 }, shards: 8 },
};

/** Channels `npm start` prints a development token for; the example order is the first one's. */
export const DEMO_CHANNELS = ['web-shop', 'marketplace', 'live-shop'] as const;

/** The order a channel sends; no `channel`: the API takes it from the token. */
export const EXAMPLE_ORDER = {
  channelOrderId: 'WEB-1001',
  currency: 'CNY',
  customer: { id: 'cust-42', tier: 'vip' },
  lines: [
    { sku: 'TEA-001', quantity: 2, unitPrice: 1299 },
    { sku: 'MUG-002', quantity: 1, unitPrice: 4500 },
  ],
  shipTo: {
    name: 'Li Wei',
    phone: '+86 138 0013 8000',
    country: 'CN',
    region: 'Shanghai',
    city: 'Shanghai',
    postalCode: '200000',
    line1: '88 Century Avenue',
  },
  deliveryPreference: 'fastest',
};

/**
 * Seeds the demo routing and return policies and stock unless a policy exists already (a persistent data
 * directory), with an operator's token (scope orders/admin).
 */
export async function seedDemoData(baseUrl: string, adminToken: string): Promise<'seeded' | 'present'> {
  const authorization = `Bearer ${adminToken}`;
  const existing = await fetch(`${baseUrl}/policies/routing`, { headers: { authorization } });
  if (existing.status === 200) return 'present';
  const policy = await fetch(`${baseUrl}/policies/routing`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(DEMO_ROUTING_POLICY_DOCUMENT),
  });
  if (!policy.ok) throw new Error(`Seeding the routing policy failed: ${policy.status} ${await policy.text()}`);
  const returns = await fetch(`${baseUrl}/policies/returns`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(DEMO_RETURN_POLICY_DOCUMENT),
  });
  if (!returns.ok) throw new Error(`Seeding the return policy failed: ${returns.status} ${await returns.text()}`);
  for (const [sku, stock] of Object.entries(DEMO_STOCK)) {
    const response = await fetch(`${baseUrl}/inventory/${sku}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(stock),
    });
    if (!response.ok) throw new Error(`Seeding ${sku} failed: ${response.status} ${await response.text()}`);
  }
  return 'seeded';
}
