/**
 * Delivery-option quotes over HTTP on the local cloud: `POST /quotes` answers three options
 * without touching stock, an order referencing one is routed to the quoted warehouse and
 * carrier (`honoured: true`), and one whose quoted stock is gone or whose lines differ routes
 * as usual with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';
import { documentAjv, responseValidator } from '../support/openapi.ts';
import { startTestCloud } from '../support/test-cloud.ts';

let cloud: LocalCloud;
const { call, waitForStatus } = localApi(() => cloud);
const ajv = documentAjv();
const quoteAnswer = responseValidator(ajv, 'post', '/quotes', 200);

beforeAll(async () => {
  cloud = await startTestCloud();
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
});

afterAll(async () => {
  await cloud?.stop();
});

const uniqueSku = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const { channel: _channel, ...ORDER } = orderRequest();
const DESTINATION = { country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000' };
const PAST_ROUTING = ['ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED', 'REJECTED'];

async function stocked(warehouses: Record<string, number>): Promise<string> {
  const sku = uniqueSku('QUOTE');
  expect((await call('PUT', `/inventory/${sku}`, { warehouses })).status).toBe(200);
  return sku;
}

async function quote(sku: string, quantity: number) {
  const response = await call('POST', '/quotes', { lines: [{ sku, quantity }], destination: DESTINATION });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(quoteAnswer(response.body), JSON.stringify(quoteAnswer.errors)).toBe(true);
  return response.body;
}

async function placeRouted(sku: string, quantity: number, quoteRef?: { quoteId: string; option: string }) {
  const placed = await call('POST', '/orders', {
    ...ORDER,
    channelOrderId: uniqueSku('Q'),
    lines: [{ sku, quantity, unitPrice: 100 }],
    ...(quoteRef ? { quote: quoteRef } : {}),
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return waitForStatus(placed.body.orderId, PAST_ROUTING);
}

describe('POST /quotes', () => {
  it('answers the fastest, cheapest and greenest options under the live version, changing no stock', async () => {
    const sku = await stocked({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const before = (await call('GET', `/inventory/${sku}`)).body;
    const body = await quote(sku, 2);
    expect((await call('GET', `/inventory/${sku}`)).body).toEqual(before);
    expect(body).toMatchObject({ quoteId: expect.stringMatching(/^[0-9A-Z]{26}$/), policyVersion: expect.any(Number) });
    for (const option of ['fastest', 'cheapest', 'greenest']) {
      expect(body.options[option]).toMatchObject({ currency: 'CNY', priceMinor: expect.any(Number), promisedDate: expect.any(String), carbonGrams: expect.any(Number) });
      expect(body.options[option].parcels.length).toBeGreaterThan(0);
    }
    expect(body.options.cheapest.priceMinor).toBeLessThanOrEqual(body.options.fastest.priceMinor);
    expect(body.options.greenest.carbonGrams).toBeLessThanOrEqual(body.options.cheapest.carbonGrams);
    expect(body.options.fastest.promisedDate <= body.options.greenest.promisedDate).toBe(true);
  });

  it('refuses a destination with a name or street (400 naming the field), and answers no option for stock nowhere', async () => {
    const refused = await call('POST', '/quotes', { lines: [{ sku: 'X', quantity: 1 }], destination: { ...DESTINATION, line1: '88 Century Avenue' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toContain('line1');
    const none = await quote(uniqueSku('NOWHERE'), 1);
    expect(none).toMatchObject({ quoteId: null, options: null, noOption: { summary: expect.stringContaining('No warehouse') } });
  });
});

describe('an order referencing a quote', () => {
  it('is routed to the quoted warehouse and carrier, honoured', async () => {
    const sku = await stocked({ 'wh-shanghai': 5, 'wh-chengdu': 8 });
    const { quoteId, options } = await quote(sku, 2);
    const order = await placeRouted(sku, 2, { quoteId, option: 'greenest' });
    expect(order.route.explanation.quote).toEqual({ quoteId, option: 'greenest', honoured: true });
    expect(order.route.parcels.map((p: { warehouseId: string; carrier: string; serviceLevel: string }) => [p.warehouseId, p.carrier, p.serviceLevel])).toEqual(
      options.greenest.parcels.map((p: { warehouseId: string; carrier: string; serviceLevel: string }) => [p.warehouseId, p.carrier, p.serviceLevel]),
    );
  });

  it('routes as usual with the reason when the quoted stock is gone or the lines differ', async () => {
    const sku = await stocked({ 'wh-shanghai': 2, 'wh-chengdu': 8 });
    const { quoteId, options } = await quote(sku, 2);
    expect(options.cheapest.warehouseIds).toEqual(['wh-shanghai']);
    expect((await call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 0, 'wh-chengdu': 8 } })).status).toBe(200);
    const gone = await placeRouted(sku, 2, { quoteId, option: 'cheapest' });
    expect(gone.route.explanation.quote).toEqual({ quoteId, option: 'cheapest', honoured: false, reason: 'option-unavailable' });
    expect(gone.route.parcels.map((p: { warehouseId: string }) => p.warehouseId)).toEqual(['wh-chengdu']);

    const other = await placeRouted(sku, 1, { quoteId, option: 'cheapest' });
    expect(other.route.explanation.quote).toEqual({ quoteId, option: 'cheapest', honoured: false, reason: 'lines-changed' });
  });
});
