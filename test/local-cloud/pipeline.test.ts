/**
 * The whole pipeline on the local cloud, driven over HTTP only, like a channel:
 * synthesized app, DynamoDB Local, stream relay, local EventBridge rules and the
 * real state machine definition calling the real handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import { StockStore } from '../../functions/store/stock-store.ts';
import { localDynamoDbClient } from '../../local/dynamodb/dynamodb-local.ts';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({
    partnersFile: NO_PARTNERS,
    // A slow carrier leaves time to cancel an order mid-flight, after it is routed: seeing ROUTED and
    // cancelling took 1.1 s on a loaded 2-core machine, too close to a 1.5 s carrier.
    functionEnvironment: { SANDBOX_CARRIER_LATENCY_MS: '4000' },
  });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
});

afterAll(async () => {
  await cloud?.stop();
});

const { bearer, call, waitForStatus } = localApi(() => cloud);

async function setStock(sku: string, warehouses: Record<string, number>, shards?: number) {
  expect((await call('PUT', `/inventory/${sku}`, { warehouses, ...(shards ? { shards } : {}) })).status).toBe(200);
}

/** The shard items as stored, read straight from the table the functions write. */
async function storedShards(sku: string) {
  const client = localDynamoDbClient(cloud.dynamodbEndpoint);
  try {
    return await new StockStore(createDocumentClient(client), cloud.tableName()).get(sku);
  } finally {
    client.destroy();
  }
}

/**
 * Places an order the way a channel should: a 5xx (a function timing out on a loaded
 * machine) is retried with the same body, which the channel order id makes idempotent.
 */
async function placeLikeAChannel(body: unknown) {
  for (let attempt = 1; ; attempt++) {
    const response = await call('POST', '/orders', body);
    if (response.status < 500 || attempt === 5) return response;
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

const uniqueSku = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

describe('local cloud', () => {
  it('takes an order to SHIPMENT_REQUESTED and puts each transition on the bus, in order', async () => {
    const sku = uniqueSku('TEA');
    await setStock(sku, { 'wh-shanghai': 5 });
    const placed = await call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 1299 }] }));
    expect(placed.status).toBe(201);
    const order = await waitForStatus(placed.body.orderId, ['SHIPMENT_REQUESTED', 'FAILED', 'REJECTED']);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    expect(order.shipment.parcels[0].trackingNumber).toMatch(/^SBX/);
    expect(order.route).toMatchObject({ policyVersion: 1, parcels: [{ warehouseId: 'wh-shanghai' }] });
    await cloud.settle();
    const events = (await call('GET', `/_local/events?orderId=${order.orderId}`)).body;
    expect(events.map((event: { 'detail-type': string }) => event['detail-type'])).toEqual([
      'OrderPlaced',
      'OrderStockLocked',
      'OrderRouted',
      'OrderShipmentRequested',
    ]);
    expect(events.map((event: { detail: { sequence: number } }) => event.detail.sequence)).toEqual([1, 2, 3, 4]);
    expect(JSON.stringify(events)).not.toContain('Century Avenue');
    const stock = (await call('GET', `/inventory/${sku}`)).body;
    expect(stock).toMatchObject({ onHand: 5, reserved: 2, availableToPromise: 3 });
  });

  it('takes an order with an empty attribution map through the stream to OrderPlaced and the workflow', async () => {
    const sku = uniqueSku('EMPTY-MAP');
    await setStock(sku, { 'wh-shanghai': 2 });
    const placed = await call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 500 }], attribution: {} }));
    expect(placed.status).toBe(201);
    await cloud.settle();
    expect((await call('GET', `/orders/${placed.body.orderId}`)).body.status).toBe('SHIPMENT_REQUESTED');
    const events = (await call('GET', `/_local/events?orderId=${placed.body.orderId}`)).body;
    expect(events[0]['detail-type']).toBe('OrderPlaced');
    expect(JSON.stringify(Object.fromEntries(cloud.deadLetters))).not.toContain(placed.body.orderId);
  });

  it('routes by the policy\'s rules and explains the decision: 3 liquids to Hainan for a vip go by cold chain', async () => {
    const sku = uniqueSku('COCONUT-WATER');
    await setStock(sku, { 'wh-shanghai': 10, 'wh-guangzhou': 10 });
    const request = orderRequest({
      customer: { id: 'vip-7', tier: 'vip' },
      lines: [{ sku, quantity: 3, unitPrice: 800, attributes: { liquid: true, weightGrams: 1000 } }],
      shipTo: { ...orderRequest().shipTo, region: 'Hainan', city: 'Haikou', postalCode: '570000' },
    });
    const placed = await call('POST', '/orders', request);
    const order = await waitForStatus(placed.body.orderId, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED']);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    expect(order.route.parcels).toEqual([expect.objectContaining({ carrier: 'coldlink', mode: 'cold-chain' })]);
    expect(order.route.priorityHandling).toBe(true);
    expect(order.route.explanation.rulesFired).toEqual(
      expect.arrayContaining(['hainan-vip-liquids-coldlink', 'hainan-vip-liquids-priority']),
    );
    const excluded = order.route.explanation.candidates.filter((candidate: { excluded?: unknown }) => candidate.excluded);
    expect(excluded.length).toBeGreaterThan(0);
    await cloud.settle();
    const routed = (await call('GET', `/_local/events?orderId=${order.orderId}`)).body.find(
      (event: { 'detail-type': string }) => event['detail-type'] === 'OrderRouted',
    );
    expect(routed.detail.data.route).toMatchObject({ policyVersion: 1, priorityHandling: true, explanation: { rulesFired: expect.any(Array) } });
    expect(JSON.stringify(routed)).not.toContain('138 0013 8000');
  });

  it('answers a retried request with the same order', async () => {
    const request = orderRequest({ lines: [{ sku: uniqueSku('NONE'), quantity: 1, unitPrice: 1 }] });
    const first = await call('POST', '/orders', request, { 'Idempotency-Key': `retry-${Date.now()}` });
    const again = await call('POST', '/orders', request, { 'Idempotency-Key': `retry-${Date.now()}-b` });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(again.headers.get('location')).toBe(`/orders/${first.body.orderId}`);
  });

  it('rejects invalid input with problem+json and writes nothing', async () => {
    const channel = `bad-input-${Date.now()}`;
    const asChannel = { authorization: await bearer('/orders', channel) };
    const response = await call('POST', '/orders', { ...orderRequest({ channel }), lines: [{ sku: 'A', quantity: -1, unitPrice: 1 }] }, asChannel);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors[0]).toMatchObject({ path: '$.lines[0].quantity' });
    const malformed = await call('POST', '/orders', '{"channel":', asChannel);
    expect(malformed.status).toBe(400);
    await cloud.settle();
    expect((await call('GET', '/orders', undefined, asChannel)).body.items).toEqual([]);
  });

  it('cancels mid-flight: the order ends CANCELLED and its stock is restored', async () => {
    const sku = uniqueSku('MUG');
    await setStock(sku, { 'wh-chengdu': 4 });
    // Cancelled within the carrier's 4 s: its function loaded beforehand, not on a cold start inside that window.
    await cloud!.warmRoutes(['POST /orders/{orderId}/cancel']);
    const placed = await call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 3, unitPrice: 4500 }] }));
    await waitForStatus(placed.body.orderId, ['ROUTED']);
    const cancelled = await call('POST', `/orders/${placed.body.orderId}/cancel`, { reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    await cloud.settle();
    const order = (await call('GET', `/orders/${placed.body.orderId}`)).body;
    expect(order.status).toBe('CANCELLED');
    expect((await call('GET', `/inventory/${sku}`)).body).toMatchObject({ onHand: 4, reserved: 0, availableToPromise: 4 });
    const events = (await call('GET', `/_local/events?orderId=${order.orderId}`)).body;
    expect(events.at(-1)['detail-type']).toBe('OrderCancelled');
  });

  it('never oversells: 50 concurrent orders for 10 units leave 10 allocated and 40 rejected OUT_OF_STOCK', async () => {
    const sku = uniqueSku('FLASH');
    await setStock(sku, { 'wh-shanghai': 6, 'wh-beijing': 4 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => placeLikeAChannel(orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 9900 }] }))),
    );
    expect(responses.map((response) => response.status).filter((status) => status !== 201 && status !== 200)).toEqual([]);
    const finals = await Promise.all(
      responses.map((response) => waitForStatus(response.body.orderId, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED'], 90_000)),
    );
    const shipped = finals.filter((order) => order.status === 'SHIPMENT_REQUESTED');
    const rejected = finals.filter((order) => order.status === 'REJECTED');
    expect(shipped).toHaveLength(10);
    expect(rejected).toHaveLength(40);
    expect(rejected.every((order) => order.rejectionReason === 'OUT_OF_STOCK')).toBe(true);
    const stock = (await call('GET', `/inventory/${sku}`)).body;
    expect(stock).toMatchObject({ onHand: 10, reserved: 10, availableToPromise: 0 });
    for (const warehouse of Object.values(stock.warehouses) as Array<{ available: number; reserved: number }>) {
      expect(warehouse.available).toBeGreaterThanOrEqual(0);
      expect(warehouse.reserved).toBeGreaterThanOrEqual(0);
    }
    expect(cloud.deadLetters.size).toBe(0);
  });

  it('never oversells a sharded hot SKU: 200 concurrent orders for 50 units over 8 shards allocate exactly 50', async () => {
    const sku = uniqueSku('HOT');
    await setStock(sku, { 'wh-shanghai': 30, 'wh-beijing': 20 }, 8);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => placeLikeAChannel(orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 9900 }] }))),
    );
    // 201, or 200 when a retried request had been stored before its first attempt timed out.
    expect(responses.map((response) => response.status).filter((status) => status !== 201 && status !== 200)).toEqual([]);
    expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(200);
    const finals = await Promise.all(
      responses.map((response) => waitForStatus(response.body.orderId, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED'], 180_000)),
    );
    const outcomes: Record<string, number> = {};
    for (const order of finals) {
      const outcome = `${order.status} ${order.rejectionReason ?? order.failureReason ?? ''}`.trim();
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    expect(outcomes).toEqual({ SHIPMENT_REQUESTED: 50, 'REJECTED OUT_OF_STOCK': 150 });
    const rejected = finals.filter((order) => order.status === 'REJECTED');
    expect(rejected).toHaveLength(150);
    expect(rejected.every((order) => order.rejectionReason === 'OUT_OF_STOCK')).toBe(true);

    const stock = await storedShards(sku);
    expect(stock?.shardCount).toBe(8);
    let onHand = 0;
    let held = 0;
    for (const shard of stock!.shards) {
      expect(shard.available, `shard ${shard.shard} available`).toBeGreaterThanOrEqual(0);
      expect(shard.reserved, `shard ${shard.shard} locked`).toBe(0);
      for (const [warehouseId, { onHand: units, free }] of Object.entries(shard.warehouses)) {
        expect(free, `shard ${shard.shard} ${warehouseId} free`).toBeGreaterThanOrEqual(0);
        expect(units).toBeGreaterThanOrEqual(free);
        onHand += units;
        held += units - free;
      }
      expect(shard.available).toBe(Object.values(shard.warehouses).reduce((sum, w) => sum + w.free, 0) - shard.reserved);
    }
    // Shards sum to the stock set, all of it allocated to the 50 orders.
    expect(onHand).toBe(50);
    expect(held).toBe(50);
    expect((await call('GET', `/inventory/${sku}`)).body).toMatchObject({ onHand: 50, reserved: 50, availableToPromise: 0 });
    expect(cloud.deadLetters.size).toBe(0);
  }, 240_000);
});
