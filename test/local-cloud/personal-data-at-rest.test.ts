/**
 * Personal data on the whole local cloud: planted in orders through the API, it is found in
 * no file of the data directory (DynamoDB Local's database, the event archive, dead letters,
 * functions.log), while the owning channel reads it back and the entitled partner gets
 * exactly its fields.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { ShipTo } from '../../functions/domain/vocabulary.ts';
import { startLocalCloud, type LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';

const ERP_BUS = 'arn:aws:events:us-east-1:111122223333:event-bus/erp-orders';
/** Personal values no other part of an order could hold by chance, one set per order. */
const planted = (n: number): ShipTo => ({
  name: `Qiu Plantedname${n}`,
  phone: `+86 139 2468 ${1350 + n}`,
  country: 'CN',
  region: 'Shanghai',
  city: 'Shanghai',
  postalCode: `PC${n}Q7X`,
  line1: `${n} Plantedstreet Road`,
});
const personalValues = (shipTo: ShipTo) => [shipTo.name, shipTo.phone, shipTo.postalCode, shipTo.line1];

const dir = mkdtempSync(join(tmpdir(), 'order-pipeline-personal-data-'));
const dataDir = join(dir, 'data');
const labels: any[] = [];
let server: Server;
let cloud: LocalCloud;
const orders: Array<{ orderId: string; channelOrderId: string; shipTo: ShipTo }> = [];

const { call } = localApi(() => cloud);

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      labels.push(JSON.parse(text));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  const partnersFile = join(dir, 'partners.json');
  writeFileSync(
    partnersFile,
    JSON.stringify({
      partners: [
        {
          name: 'label-printer',
          events: { 'detail-type': ['OrderRouted'] },
          target: {
            type: 'https',
            endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/labels`,
            auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'test/labels' },
          },
          retry: { maximumEventAgeSeconds: 60, maximumRetryAttempts: 2 },
          personalData: 'shipping-label',
        },
        {
          name: 'erp',
          events: { 'detail-type': ['OrderPlaced', 'OrderShipmentRequested'] },
          target: { type: 'eventBus', eventBusArn: ERP_BUS },
          retry: { maximumEventAgeSeconds: 60, maximumRetryAttempts: 2 },
        },
      ],
    }),
  );
  cloud = await startLocalCloud({
    port: 0,
    stage: 'pdtest',
    dataDir,
    partnersFile,
    secrets: { 'test/labels': { apiKey: 'labels-key' } },
    retryBaseDelayMs: 20,
  });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  const sku = `PII-${Date.now()}`;
  expect((await call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 10 } })).status).toBe(200);
  for (const n of [1, 2, 3]) {
    const request = orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 1000 }], shipTo: planted(n) });
    const placed = await call('POST', '/orders', request);
    expect(placed.status).toBe(201);
    expect(placed.body.shipTo).toEqual(planted(n));
    orders.push({ orderId: placed.body.orderId, channelOrderId: request.channelOrderId, shipTo: planted(n) });
  }
  await cloud.settle();
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await new Promise((closed) => server?.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

describe('personal data on the local cloud', () => {
  it('is in no file of the data directory, which does hold the orders themselves', () => {
    const files = filesUnder(dataDir);
    const contents = files.map((file) => ({ file, text: readFileSync(file).toString('latin1') }));
    expect(files.some((file) => file.endsWith('functions.log'))).toBe(true);
    // The files are read as stored: the orders' other values are there in plain text.
    for (const { channelOrderId } of orders) expect(contents.some(({ text }) => text.includes(channelOrderId))).toBe(true);
    for (const { shipTo } of orders) {
      for (const value of personalValues(shipTo)) {
        expect(contents.filter(({ text }) => text.includes(value)).map(({ file }) => file), value).toEqual([]);
      }
    }
  });

  it('is read back in clear by the owning channel', async () => {
    for (const { orderId, shipTo } of orders) {
      const { status, body } = await call('GET', `/orders/${orderId}`);
      expect(status).toBe(200);
      expect(body.shipTo).toEqual(shipTo);
      expect(body.status).toBe('SHIPMENT_REQUESTED');
    }
  });

  it('is not read by another channel', async () => {
    const other = localApi(() => cloud, 'marketplace');
    expect((await other.call('GET', `/orders/${orders[0]!.orderId}`)).status).toBe(404);
  });

  it('reaches the entitled partner, exactly its fields, and never the bus or another account', () => {
    expect(labels.map((delivery) => delivery.detail.orderId).sort()).toEqual(orders.map(({ orderId }) => orderId).sort());
    for (const delivery of labels) {
      const { shipTo } = orders.find(({ orderId }) => orderId === delivery.detail.orderId)!;
      expect(delivery.detail.data.shipTo).toEqual({ ...shipTo });
      expect(delivery.detail.data.customerId).toBeUndefined();
    }
    const elsewhere = JSON.stringify([cloud.eventBusDeliveries.get(ERP_BUS) ?? [], cloud.feed.recent()]);
    expect(elsewhere).toContain(orders[0]!.orderId);
    for (const { shipTo } of orders) for (const value of personalValues(shipTo)) expect(elsewhere).not.toContain(value);
  });

  it('is sealed with one data key for all the orders placed', () => {
    expect(cloud.kmsRequests().GenerateDataKey).toBe(1);
  });
});
