/**
 * Partners on the local cloud, from a partners file synthesized into rules, API destinations,
 * connections, an enrichment pipe and DLQs: a test server plays the partners' endpoints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { startLocalCloud, type LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';
import { sharedDatabase } from '../support/test-cloud.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

const ERP_BUS = 'arn:aws:events:us-east-1:111122223333:event-bus/erp-orders';
const STREET = '88 Century Avenue';
const PHONE = '+86 138 0013 8000';
/** What each test path answers; anything else 200. */
const STATUS_BY_PATH: Record<string, number> = { '/broken': 500, '/rejecting': 400 };

const dir = mkdtempSync(join(tmpdir(), 'order-pipeline-partners-'));
const received: Received[] = [];
let server: Server;
let cloud: LocalCloud;
let shanghaiOrder: string;
let beijingOrder: string;
let startedAt: Date;

const at = (path: string) => received.filter((request) => request.path === path);
const orderIdOf = (request: Received) => request.body.detail.orderId as string;

function partnersFile(base: string): string {
  const apiKey = (secretName: string) => ({ type: 'apiKey', headerName: 'x-api-key', secretName });
  const fast = { maximumEventAgeSeconds: 60, maximumRetryAttempts: 2 };
  const file = join(dir, 'partners.json');
  writeFileSync(
    file,
    JSON.stringify({
      partners: [
        {
          name: 'warehouse',
          events: { 'detail-type': ['OrderRouted'], detail: { data: { route: { parcels: { warehouseId: ['wh-shanghai'] } } } } },
          target: { type: 'https', endpoint: `${base}/warehouse`, auth: apiKey('test/warehouse') },
          retry: fast,
        },
        {
          name: 'label-printer',
          events: { 'detail-type': ['OrderRouted'], detail: { data: { route: { parcels: { warehouseId: ['wh-shanghai'] } } } } },
          target: { type: 'https', endpoint: `${base}/labels`, auth: { type: 'basic', secretName: 'test/labels' } },
          retry: fast,
          personalData: 'shipping-label',
        },
        {
          name: 'erp',
          events: { 'detail-type': ['OrderShipmentRequested', 'OrderRejected', 'OrderCancelled', 'OrderFailed'] },
          target: { type: 'eventBus', eventBusArn: ERP_BUS },
          retry: fast,
        },
        {
          name: 'broken',
          events: { 'detail-type': ['OrderShipmentRequested'] },
          target: { type: 'https', endpoint: `${base}/broken`, auth: apiKey('test/broken') },
          retry: fast,
        },
        {
          name: 'rejecting',
          events: { 'detail-type': ['OrderShipmentRequested'] },
          target: { type: 'https', endpoint: `${base}/rejecting`, auth: apiKey('test/broken') },
          retry: fast,
        },
        {
          name: 'gone',
          events: { 'detail-type': ['OrderShipmentRequested'] },
          // Port 9 (discard) on loopback: nothing listens, the connection is refused.
          target: { type: 'https', endpoint: 'http://127.0.0.1:9/orders', auth: apiKey('test/broken') },
          retry: { maximumEventAgeSeconds: 60, maximumRetryAttempts: 1 },
        },
      ],
    }),
  );
  return file;
}

const { call } = localApi(() => cloud);

async function placeFrom(warehouseId: string): Promise<string> {
  const sku = `PARTNER-${warehouseId}-${Date.now()}`;
  expect((await call('PUT', `/inventory/${sku}`, { warehouses: { [warehouseId]: 5 } })).status).toBe(200);
  const placed = await call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 1000 }] }));
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) });
      response.writeHead(STATUS_BY_PATH[request.url ?? ''] ?? 200).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cloud = await startLocalCloud({
    port: 0,
    stage: 'ptest',
    ...sharedDatabase('ptest'),
    partnersFile: partnersFile(base),
    secrets: {
      'test/warehouse': { apiKey: 'wh-key-123' },
      'test/labels': { username: 'labels', password: 's3cret' },
      'test/broken': { apiKey: 'any' },
    },
    retryBaseDelayMs: 20,
  });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  // Event times have whole seconds: start the replay window at the second the orders are placed in.
  startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  shanghaiOrder = await placeFrom('wh-shanghai');
  beijingOrder = await placeFrom('wh-beijing');
  await cloud.settle();
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await new Promise((closed) => server?.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

describe('partners on the local cloud', () => {
  it('both orders reached SHIPMENT_REQUESTED, one from each warehouse', async () => {
    for (const [orderId, warehouseId] of [[shanghaiOrder, 'wh-shanghai'], [beijingOrder, 'wh-beijing']] as const) {
      const order = (await call('GET', `/orders/${orderId}`)).body;
      expect(order.status).toBe('SHIPMENT_REQUESTED');
      expect(order.route.parcels.map((parcel: { warehouseId: string }) => parcel.warehouseId)).toEqual([warehouseId]);
    }
  });

  it('deliver to an HTTPS partner exactly the events its pattern selects, with its API key and no personal data', () => {
    const deliveries = at('/warehouse');
    expect(deliveries.map((request) => [request.body['detail-type'], orderIdOf(request)])).toEqual([['OrderRouted', shanghaiOrder]]);
    const [delivery] = deliveries;
    expect(delivery!.headers['x-api-key']).toBe('wh-key-123');
    expect(delivery!.headers['content-type']).toMatch(/^application\/json/);
    expect(delivery!.body).toMatchObject({ source: 'order-pipeline', detail: { orderId: shanghaiOrder, status: 'ROUTED' } });
    const text = JSON.stringify(delivery!.body);
    expect(text).not.toContain(STREET);
    expect(text).not.toContain('Li Wei');
    expect(text).not.toContain('200000');
    expect(delivery!.body.detail.data.shipTo.phone).toBe('+** *** **** 8000');
  });

  it('add the personal data a partner is entitled to, and nothing more, on its own deliveries only', () => {
    const deliveries = at('/labels');
    expect(deliveries.map(orderIdOf)).toEqual([shanghaiOrder]);
    const [delivery] = deliveries;
    expect(delivery!.headers.authorization).toBe(`Basic ${Buffer.from('labels:s3cret').toString('base64')}`);
    expect(delivery!.body.detail.data.shipTo).toEqual({
      country: 'CN',
      region: 'Shanghai',
      city: 'Shanghai',
      phone: PHONE,
      name: 'Li Wei',
      line1: STREET,
      postalCode: '200000',
    });
    expect(delivery!.body.detail.data.customerId).toBeUndefined();
    // The bus itself still carries none.
    const onBus = cloud.feed.recent().flatMap((item) => (item.kind === 'event' ? [item.event] : []));
    expect(JSON.stringify(onBus)).not.toContain(STREET);
  });

  it('record what another account\'s bus receives: the events its pattern selects', () => {
    const events = cloud.eventBusDeliveries.get(ERP_BUS) ?? [];
    expect(events.map((event) => [event['detail-type'], (event.detail as { orderId: string }).orderId]).sort()).toEqual(
      [
        ['OrderShipmentRequested', beijingOrder],
        ['OrderShipmentRequested', shanghaiOrder],
      ].sort(),
    );
  });

  it('retry a partner answering 500 by its retry policy, then put the events in that partner\'s DLQ', () => {
    // 1 attempt + 2 retries for each of the two OrderShipmentRequested events.
    expect(at('/broken').map(orderIdOf).sort()).toEqual([beijingOrder, beijingOrder, beijingOrder, shanghaiOrder, shanghaiOrder, shanghaiOrder].sort());
    const letters = cloud.deadLetters.get('order-pipeline-ptest-partner-broken-dlq') as Array<{ errorMessage: string; event: any }>;
    expect(letters.map((letter) => letter.event.detail.orderId).sort()).toEqual([beijingOrder, shanghaiOrder].sort());
    expect(letters[0]!.errorMessage).toMatch(/answered 500$/);
  });

  it('do not retry a 400 (EventBridge gives up on 4xx other than 401, 407, 409 and 429)', () => {
    expect(at('/rejecting')).toHaveLength(2);
    expect(cloud.deadLetters.get('order-pipeline-ptest-partner-rejecting-dlq')).toHaveLength(2);
  });

  it('put the events for an unreachable endpoint in that partner\'s DLQ after its retries', () => {
    const letters = cloud.deadLetters.get('order-pipeline-ptest-partner-gone-dlq') as Array<{ errorCode: string }>;
    expect(letters.map((letter) => letter.errorCode)).toEqual(['ApiDestinationUnreachable', 'ApiDestinationUnreachable']);
    // Only the failing partners' queues hold anything.
    expect([...cloud.deadLetters.keys()].sort()).toEqual(
      ['order-pipeline-ptest-partner-broken-dlq', 'order-pipeline-ptest-partner-gone-dlq', 'order-pipeline-ptest-partner-rejecting-dlq'].sort(),
    );
  });

  it('replay archived events to one partner\'s rule only, marked with the replay name', async () => {
    const before = received.length;
    const erpBefore = cloud.eventBusDeliveries.get(ERP_BUS)!.length;
    const replay = await call('POST', '/_local/replays', { rule: 'partner-warehouse', from: startedAt.toISOString(), to: new Date(Date.now() + 1000).toISOString() });
    expect(replay).toMatchObject({ status: 202, body: { deliveries: 1 } });
    await cloud.settle();
    const replayed = received.slice(before);
    expect(replayed.map((request) => [request.path, orderIdOf(request)])).toEqual([['/warehouse', shanghaiOrder]]);
    expect(replayed[0]!.body['replay-name']).toMatch(/^local-partner-warehouse-/);
    expect(replayed[0]!.body.id).toBe(at('/warehouse')[0]!.body.id);
    expect(cloud.eventBusDeliveries.get(ERP_BUS)).toHaveLength(erpBefore);
  });

  it('replay nothing from before the window', async () => {
    const replay = await call('POST', '/_local/replays', { rule: 'partner-warehouse', from: '2020-01-01T00:00:00Z', to: startedAt.toISOString() });
    expect(replay.body.deliveries).toBe(0);
    expect((await call('POST', '/_local/replays', { rule: 'partner-nobody', from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' })).status).toBe(404);
  });
});
