/**
 * Contract test: real orders through the local cloud (HTTP API, DynamoDB Local, the stream
 * publisher, the bus, the workflow), and every event that reaches the bus checked against the
 * checked-in schema of its detail-type, and as a whole against its AsyncAPI message.
 *
 * OrderShipped and OrderDelivered come from signed carrier callbacks. Not covered here:
 * OrderFailed (it needs a cloud whose carrier fails, see carriers.test.ts) and
 * OrderShippingAddressChanged (it races routing, see channels.test.ts);
 * test/events/contracts.test.ts checks those from the domain.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { ASYNCAPI_FILE } from '../../functions/events/event-contracts.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';
import { signatureHeader } from '../../functions/carriers/webhook-signature.ts';
import { localCarrierSecret } from '../../local/carrier-secrets.ts';
import { checkedInDetailValidator, newAjv } from '../support/event-contracts.ts';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({
    // The pipeline's own events only: the example partners' endpoints do not exist, so their
    // deliveries would fill dead-letter queues this test reads as broken contracts.
    partnersFile: NO_PARTNERS,
    // A slow carrier leaves time to cancel an order after it is routed (seeing ROUTED and cancelling
    // took 1.1 s on a loaded 2-core machine, too close to a 1.5 s carrier).
    functionEnvironment: { SANDBOX_CARRIER_LATENCY_MS: '4000' },
  });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

const { call, waitForStatus } = localApi(() => cloud);

async function place(request: ReturnType<typeof orderRequest>): Promise<string> {
  const placed = await call('POST', '/orders', request);
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

const uniqueSku = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const ENDS = ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED', 'CANCELLED'];

it('puts only events that match their published schemas on the bus: happy path to delivery, rules, rejections, cancellation', async () => {
  const sku = uniqueSku('TEA');
  const liquid = uniqueSku('COCONUT-WATER');
  const mug = uniqueSku('MUG');
  for (const [item, warehouses] of [
    [sku, { 'wh-shanghai': 5 }],
    [liquid, { 'wh-shanghai': 10, 'wh-guangzhou': 10 }],
    [mug, { 'wh-chengdu': 4 }],
  ] as const) {
    expect((await call('PUT', `/inventory/${item}`, { warehouses })).status).toBe(200);
  }

  const shipped = await place(orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 1299 }] }));
  // Rules fire and candidates are excluded: the richest route explanation the demo policy gives.
  const coldChain = await place(
    orderRequest({
      customer: { id: 'vip-7', tier: 'vip' },
      lines: [{ sku: liquid, quantity: 3, unitPrice: 800, attributes: { liquid: true, weightGrams: 1000 } }],
      shipTo: { ...orderRequest().shipTo, region: 'Hainan', city: 'Haikou', postalCode: '570000' },
    }),
  );
  const outOfStock = await place(orderRequest({ lines: [{ sku: uniqueSku('NONE'), quantity: 1, unitPrice: 100 }] }));
  const noRoute = await place(
    orderRequest({
      lines: [{ sku, quantity: 1, unitPrice: 1299 }],
      shipTo: { ...orderRequest().shipTo, country: 'US', region: 'Oregon', city: 'Portland', postalCode: '97201' },
    }),
  );
  const cancelled = await place(orderRequest({ lines: [{ sku: mug, quantity: 3, unitPrice: 4500 }] }));
  // Cancelled within the carrier's 4 s: its function loaded beforehand, not on a cold start inside that window.
  await cloud!.warmRoutes(['POST /orders/{orderId}/cancel']);
  await waitForStatus(cancelled, ['ROUTED']);
  expect((await call('POST', `/orders/${cancelled}/cancel`, { reason: 'changed my mind' })).status).toBe(200);

  const outcomes = await Promise.all(
    [shipped, coldChain, outOfStock, noRoute, cancelled].map(async (orderId) => {
      const order = await waitForStatus(orderId, ENDS);
      return `${order.status} ${order.rejectionReason ?? ''}`.trim();
    }),
  );
  expect(outcomes).toEqual(['SHIPMENT_REQUESTED', 'SHIPMENT_REQUESTED', 'REJECTED OUT_OF_STOCK', 'REJECTED NO_ROUTE', 'CANCELLED']);
  const [parcel] = (await call('GET', `/orders/${shipped}`)).body.shipment.parcels;
  for (const status of ['picked_up', 'delivered']) {
    const body = JSON.stringify({ eventId: `${status}-${shipped}`, trackingNumber: parcel.trackingNumber, status, occurredAt: new Date().toISOString() });
    const signature = { 'X-Carrier-Signature': signatureHeader(localCarrierSecret(parcel.carrier)!, body) };
    expect((await call('POST', `/carriers/${parcel.carrier}/events`, body, signature)).status).toBe(200);
  }
  await cloud.settle();

  const events: Array<{ 'detail-type': string; detail: { type: string; orderId: string } }> = [];
  for (const orderId of [shipped, coldChain, outOfStock, noRoute, cancelled]) {
    events.push(...(await call('GET', `/_local/events?orderId=${orderId}`)).body);
  }
  expect(new Set(events.map((event) => event['detail-type']))).toEqual(
    new Set([
      'OrderPlaced',
      'OrderStockLocked',
      'OrderRouted',
      'OrderShipmentRequested',
      'OrderShipped',
      'OrderDelivered',
      'OrderRejected',
      'OrderCancelled',
    ]),
  );

  const validateDetail = checkedInDetailValidator();
  const asyncApi = newAjv('draft-07', { strict: false }).addSchema(JSON.parse(readFileSync(new URL(`../../${ASYNCAPI_FILE}`, import.meta.url), 'utf8')), 'asyncapi');
  for (const event of events) {
    const where = `${event['detail-type']} of ${event.detail.orderId}`;
    expect(event.detail.type, where).toBe(event['detail-type']);
    expect(validateDetail(event.detail), where).toEqual([]);
    const validateMessage = asyncApi.getSchema(`asyncapi#/components/messages/${event['detail-type']}/payload`)!;
    expect(validateMessage(event), `${where}: ${JSON.stringify(validateMessage.errors)}`).toBe(true);
  }
  // Nothing was held back for breaking its contract.
  expect(cloud.deadLetters.size).toBe(0);
}, 180_000);
