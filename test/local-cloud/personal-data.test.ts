/**
 * PII contract test on the local cloud (real HTTP, DynamoDB Local, the stream publisher, the
 * bus, the workflow, partner deliveries): realistic personal data planted in every text input
 * of every route, orders taken through the pipeline, and none of it on the bus, in the event
 * archive or in a delivery to partners entitled to no personal data. The text inputs come from
 * the route table's schemas, so a new route or field fails here until it is planted or its
 * exemption is written down.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signatureHeader } from '../../functions/carriers/webhook-signature.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { ALL_DETAIL_TYPES } from '../../functions/domain/events.ts';
import { ROUTES, routeKey, type Route } from '../../functions/http/routes.ts';
import { localCarrierSecret } from '../../local/carrier-secrets.ts';
import { startLocalCloud, type LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';

/** What customers type where they should not, each distinctive enough that a hit is a leak. */
const PII = {
  name: 'Li Wei',
  phone: '13800138000',
  idNumber: '110101199003071234',
  email: 'li.wei@example.com',
  street: '7 Jianguomen Outer Street',
} as const;
const SENTENCE = `Customer ${PII.name}, tel ${PII.phone}, id ${PII.idNumber}, ${PII.email}, ${PII.street}`;
/** Every value planted: each piece alone, and all of them in one sentence. */
const PLANTED_VALUES = [...Object.values(PII), SENTENCE];
/** What must not appear: the pieces (the sentence contains them). */
const NEEDLES = Object.values(PII);

/**
 * Inputs that are published by design as keys, with why that is not a leak: their character
 * sets keep out e-mails, names and addresses (no `@`, no spaces), which are planted; a bare
 * number cannot be told from a product code or an order number, so phone and ID numbers are not.
 */
const PUBLISHED_KEYS: Record<string, readonly string[]> = {
  'POST /orders': ['channelOrderId', 'lines[].sku'],
};

/**
 * Inputs where a name alone is not planted, with why: a region or city of letters is published
 * (functions/domain/free-text.ts), and "Li Wei" cannot be told from a place name. A name with a
 * phone number, an address with a house number, an e-mail address are planted, and withheld.
 */
const PLACE_INPUTS = ['shipTo.region', 'shipTo.city', 'region', 'city'];

/** Routes whose inputs are not planted, with why. */
const EXEMPT_ROUTES: Record<string, string> = {
  'PUT /policies/routing':
    'operator configuration, not customer input: the names it holds (warehouses, carriers, rules) are published in routing explanations by design',
  'POST /policies/routing/dry-run':
    'a draft of that configuration decided on recent orders: it writes and publishes nothing (test/local-cloud/routing-policy-changes.test.ts checks that the policy, stock and orders stay as they were)',
};

type JsonSchema = { [key: string]: any };

/** Paths of the string inputs of a JSON Schema that are not a closed set (enum, const) or a date-time. */
function textInputs(schema: JsonSchema, root: JsonSchema = schema, path = '', seen = new Set<string>()): string[] {
  if (schema.$ref) {
    // A schema that contains itself (`$ref: '#'`, a recursive definition): its inputs are already listed.
    if (seen.has(schema.$ref)) return [];
    const target = schema.$ref === '#' ? root : root.$defs[String(schema.$ref).split('/').pop()!];
    return textInputs(target, root, path, new Set([...seen, schema.$ref]));
  }
  const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  if (alternatives.length > 0) return [...new Set(alternatives.flatMap((alternative: JsonSchema) => textInputs(alternative, root, path, seen)))];
  if (schema.type === 'string') return schema.enum || schema.const !== undefined || schema.format ? [] : [path];
  if (schema.type === 'array') return textInputs(schema.items, root, `${path}[]`, seen);
  if (schema.type === 'object') {
    const named = Object.entries(schema.properties ?? {}).flatMap(([key, value]) => textInputs(value as JsonSchema, root, path ? `${path}.${key}` : key, seen));
    const values = typeof schema.additionalProperties === 'object' ? textInputs(schema.additionalProperties, root, `${path}.*`, seen) : [];
    const keys = schema.propertyNames?.type === 'string' || schema.propertyNames?.pattern ? [`${path}.<key>`] : [];
    return [...named, ...values, ...keys];
  }
  return [];
}

type Part = 'params' | 'query' | 'headers' | 'body';
const inputsOf = (route: Route): Array<{ part: Part; path: string }> =>
  (['params', 'query', 'headers', 'body'] as const).flatMap((part) => {
    const schema = part === 'body' ? route.request?.body?.schema : route.request?.[part];
    return schema ? textInputs(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema).map((path) => ({ part, path })) : [];
  });

/** `base` with `value` at `path` (`a.b`, `a[].b` at index 0, `a.*` under a new key, `a.<key>` as a key). */
function planted(base: unknown, path: string, value: string): unknown {
  // A route with no valid body listed here gets the planted field alone: refused, and still nothing may leak.
  const copy = structuredClone(base ?? {}) as Record<string, any>;
  const steps = path.split('.').flatMap((step) => (step.endsWith('[]') ? [step.slice(0, -2), 0] : [step]));
  let node: any = copy;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if (step === '<key>') node[value] = 'x';
    else if (step === '*') node.planted = value;
    else if (last) node[step] = value;
    else node = node[step] ??= typeof steps[i + 1] === 'number' ? [{}] : {};
  });
  return copy;
}

const dir = mkdtempSync(join(tmpdir(), 'order-pipeline-pii-'));
const ERP_BUS = 'arn:aws:events:us-east-1:111122223333:event-bus/erp-orders';
const httpDeliveries: string[] = [];
let server: Server;
let cloud: LocalCloud;
const { call } = localApi(() => cloud);
let sku: string;

function partnersFile(base: string): string {
  const file = join(dir, 'partners.json');
  const everything = { 'detail-type': ALL_DETAIL_TYPES };
  writeFileSync(
    file,
    JSON.stringify({
      partners: [
        { name: 'erp', events: everything, target: { type: 'eventBus', eventBusArn: ERP_BUS } },
        { name: 'analytics', events: everything, target: { type: 'https', endpoint: `${base}/analytics`, auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'test/analytics' } } },
      ],
    }),
  );
  return file;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      httpDeliveries.push(text);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  cloud = await startLocalCloud({
    port: 0,
    stage: 'pii',
    dataDir: join(dir, 'data'),
    partnersFile: partnersFile(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    secrets: { 'test/analytics': { apiKey: 'key' } },
    retryBaseDelayMs: 20,
  });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  sku = `PII-${Date.now()}`;
  expect((await call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 10_000 } })).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await new Promise((closed) => server?.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

const validOrder = () => orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }] });

async function placedOrder(): Promise<string> {
  const placed = await call('POST', '/orders', validOrder());
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

/** An order that waits for its payment, so a cancel never races fulfilment to the shipment request. */
async function awaitingPayment(overrides: Record<string, unknown> = {}): Promise<string> {
  const placed = await call('POST', '/orders', { ...validOrder(), payment: { status: 'pending', provider: 'alipay' }, ...overrides });
  expect(placed.status).toBe(201);
  return placed.body.orderId;
}

/** A request to `route` that is valid but for the planted input, so each input is tried on its own. */
async function plantedCall(route: Route, part: Part, path: string, value: string) {
  const orderId = route.path.includes('{orderId}') ? await placedOrder() : undefined;
  const params: Record<string, string> = {
    ...(orderId ? { orderId } : {}),
    sku,
    carrierId: 'zto',
    customerId: 'cust-42',
  };
  const bodies: Record<string, unknown> = {
    'POST /orders': { ...validOrder(), attribution: { touchpoints: [{ channel: 'search' }], extra: {} } },
    'POST /orders/{orderId}/cancel': { reasonCode: 'OTHER', note: 'n' },
    'PATCH /orders/{orderId}/shipping-address': validOrder().shipTo,
    'PUT /inventory/{sku}': { warehouses: { 'wh-shanghai': 10_000 } },
    'POST /inventory/{sku}/adjustments': { warehouseId: 'wh-shanghai', delta: 1, reason: 'n' },
    'POST /carriers/{carrierId}/events': { eventId: `e-${Date.now()}`, trackingNumber: 'SBX1', status: 'IN_TRANSIT', occurredAt: new Date().toISOString() },
    'POST /quotes': { lines: [{ sku, quantity: 1 }], destination: { country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000' } },
    'POST /orders/{orderId}/payment': { status: 'authorized', reference: 'pay-1' },
    'POST /orders/{orderId}/returns': { lines: [{ sku, quantity: 1 }], reasonCode: 'DEFECTIVE' },
  };
  const key = routeKey(route);
  let body = bodies[key];
  const headers: Record<string, string> = {};
  if (part === 'params') params[path] = value;
  if (part === 'query') params.query = `?${new URLSearchParams({ [path]: value })}`;
  if (part === 'headers') headers[path] = value;
  if (part === 'body') body = planted(body, path, value);
  const text = body === undefined ? undefined : JSON.stringify(body);
  if (key.startsWith('POST /carriers/') && !(part === 'headers' && path === 'X-Carrier-Signature')) {
    headers['X-Carrier-Signature'] = signatureHeader(localCarrierSecret('zto')!, text!);
  }
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!)) + (params.query ?? '');
  return call(route.method, url, text, headers);
}

/** Fails naming where `needle` was found, with what surrounds it. */
function expectAbsent(out: string, needle: string) {
  const at = out.indexOf(needle);
  expect(at, `${needle} in …${out.slice(Math.max(0, at - 300), at + 100)}…`).toBe(-1);
}

/** Everything that left the pipeline: the event archive (every event accepted on the bus) and both partners' deliveries. */
function leaked(): string {
  const archive = readFileSync(join(dir, 'data', 'events-archive.jsonl'), 'utf8');
  return [archive, JSON.stringify(cloud.eventBusDeliveries.get(ERP_BUS) ?? []), ...httpDeliveries].join('\n');
}

describe('personal data planted in every text input of every route', () => {
  it('finds the text inputs of the routes in their schemas', () => {
    const inputs = ROUTES.flatMap((route) => inputsOf(route).map(({ part, path }) => `${routeKey(route)} ${part} ${path}`));
    // The schema walk sees the inputs that matter, so an empty list cannot pass for safety.
    expect(inputs).toEqual(
      expect.arrayContaining([
        'POST /orders body shipTo.city',
        'POST /orders body attribution.touchpoints[].campaign',
        'POST /orders body attribution.extra.*',
        'POST /orders/{orderId}/cancel body note',
        'DELETE /customers/{customerId}/personal-data params customerId',
      ]),
    );
  });

  it('reach no event on the bus, no archive entry and no partner delivery', async () => {
    let accepted = 0;
    for (const route of ROUTES) {
      const key = routeKey(route);
      if (EXEMPT_ROUTES[key]) continue;
      for (const { part, path } of inputsOf(route)) {
        const values = PUBLISHED_KEYS[key]?.includes(path)
          ? PLANTED_VALUES.filter((value) => /[@ ]/.test(value))
          : PLACE_INPUTS.includes(path)
            ? PLANTED_VALUES.filter((value) => value !== PII.name)
            : PLANTED_VALUES;
        for (const value of values) {
          const response = await plantedCall(route, part, path, value);
          expect(response.status, `${key} ${part} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
          if (response.status < 300) accepted++;
        }
      }
    }
    // The scenario, in one order: typed where a place, a key and a reason belong.
    const scenario = await call('POST', '/orders', {
      ...validOrder(),
      channelOrderId: `WEB-PII-${Date.now()}`,
      customer: { id: 'cust-li-wei', tier: 'vip' },
      shipTo: { ...validOrder().shipTo, city: `${PII.name} ${PII.phone}`, region: PII.street },
    });
    expect(scenario.status).toBe(201);
    expect((await call('POST', '/orders', { ...validOrder(), channelOrderId: PII.email })).status).toBe(400);
    await cloud.settle();
    const cancelled = await awaitingPayment();
    expect((await call('POST', `/orders/${cancelled}/cancel`, { reason: SENTENCE })).status).toBe(200);
    await cloud.settle();

    // The planting took: orders carrying the data were accepted and kept it, and events flowed.
    expect(accepted).toBeGreaterThan(20);
    expect((await call('GET', `/orders/${cancelled}`)).body.cancellationNote).toBe(SENTENCE);
    expect((await call('GET', `/orders/${scenario.body.orderId}`)).body).toMatchObject({ status: 'SHIPMENT_REQUESTED', shipTo: { region: PII.street } });
    const erp = cloud.eventBusDeliveries.get(ERP_BUS) ?? [];
    expect(erp.map((event) => event['detail-type'])).toEqual(expect.arrayContaining(['OrderShipmentRequested', 'OrderCancelled']));
    expect(httpDeliveries.length).toBeGreaterThan(0);

    const out = leaked();
    for (const needle of NEEDLES) expectAbsent(out, needle);
  }, 600_000);

  it('erases the customer, and what that puts on the bus says nothing about them', async () => {
    const customer = { id: `cust-${PII.email.replace('@', '-at-')}`, tier: 'vip' as const };
    const orderId = await awaitingPayment({ customer, shipTo: { ...validOrder().shipTo, name: PII.name, line1: PII.street } });
    expect((await call('POST', `/orders/${orderId}/cancel`, { reasonCode: 'CUSTOMER_REQUEST', note: SENTENCE })).status).toBe(200);
    await cloud.settle();

    const erased = await call('DELETE', `/customers/${encodeURIComponent(customer.id)}/personal-data`);
    expect(erased.body).toEqual({ erased: 1, pending: [], complete: true });
    await cloud.settle();

    const order = (await call('GET', `/orders/${orderId}`)).body;
    expect(order).toMatchObject({ customer: { id: '' }, shipTo: { name: '', line1: '', phone: '' } });
    expect(JSON.stringify(order)).not.toContain(SENTENCE);
    const erasures = (cloud.eventBusDeliveries.get(ERP_BUS) ?? []).filter((event) => event['detail-type'] === 'CustomerDataErased');
    expect(erasures.map((event) => (event.detail as { orderId: string }).orderId)).toEqual([orderId]);
    const out = leaked();
    for (const needle of [...NEEDLES, customer.id]) expectAbsent(out, needle);
  }, 120_000);
});
