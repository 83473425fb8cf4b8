/**
 * Channels over HTTP on the local cloud: the JWT authorizer read from the synthesized
 * app (who gets 401, who gets 403), isolation between channels, the address change
 * racing the real workflow, the timeline against the events on the bus, and responses
 * checked against the OpenAPI document's schemas.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { documentAjv, responseValidator } from '../support/openapi.ts';

let cloud: LocalCloud;
let admin: string;
const ajv = documentAjv();

beforeAll(async () => {
  cloud = await startTestCloud();
  admin = await cloud.issueToken({ scopes: [SCOPES.admin] });
  expect((await call('PUT', '/policies/routing', { token: admin, body: DEMO_ROUTING_POLICY_DOCUMENT })).status).toBe(200);
});

afterAll(async () => {
  await cloud?.stop();
});

async function call(method: string, path: string, options: { token?: string; authorization?: string; body?: unknown } = {}) {
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const response = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const channelToken = (channel: string) => cloud.issueToken({ scopes: [SCOPES.channel], channel });
const uniqueSku = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const { channel: _fixtureChannel, ...ORDER_WITHOUT_CHANNEL } = orderRequest();
const newOrder = (sku: string) => ({ ...ORDER_WITHOUT_CHANNEL, channelOrderId: uniqueSku('CH'), lines: [{ sku, quantity: 1, unitPrice: 100 }] });
const BEIJING = { ...ORDER_WITHOUT_CHANNEL.shipTo, region: 'Beijing', city: 'Beijing', postalCode: '100000', line1: '1 Chang\'an Avenue' };

function expectMatches(validator: ReturnType<typeof responseValidator>, body: unknown) {
  expect(validator(body), JSON.stringify(validator.errors)).toBe(true);
}

async function waitForStatus(orderId: string, token: string, statuses: string[]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await call('GET', `/orders/${orderId}`, { token });
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} stayed ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('authentication and scopes', () => {
  const problem401 = responseValidator(ajv, 'get', '/orders', 401);

  it('answers 401 problem+json, with API Gateway\'s www-authenticate, for a missing, malformed, expired, foreign or misaddressed token', async () => {
    const otherKey = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ scope: SCOPES.channel, channel: 'web-shop' })
      .setProtectedHeader({ alg: 'RS256', kid: 'someone-else' })
      .setIssuer('https://auth.order-pipeline.invalid')
      .setAudience('order-pipeline')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(otherKey.privateKey);
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['no token', undefined, /no token/],
      ['not a JWT', 'Bearer not-a-jwt', /malformed/],
      ['expired', `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', expiresIn: -60 })}`, /expired/],
      ['another issuer', `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', issuer: 'https://evil.example' })}`, /issuer/],
      ['another audience', `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'web-shop', audience: 'other-api' })}`, /audience/],
      ['signed by another key', `Bearer ${foreign}`, /key/],
    ];
    for (const [name, authorization, detail] of cases) {
      const response = await call('GET', '/orders', authorization ? { authorization } : {});
      expect(response.status, name).toBe(401);
      expect(response.headers.get('content-type'), name).toBe('application/problem+json');
      expect(response.body, name).toMatchObject({ type: '/problems/unauthorized', status: 401, title: expect.any(String) });
      expect(response.body.detail, name).toMatch(detail);
      expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer scope="orders\/channel orders\/support orders\/admin" error="invalid_token"/);
      expectMatches(problem401, response.body);
    }
  });

  it('answers 403 for a token without the route\'s scope, either way round', async () => {
    const asChannel = await call('GET', '/inventory/TEA-001', { token: await channelToken('web-shop') });
    expect(asChannel.status).toBe(403);
    expect(asChannel.body).toMatchObject({ type: '/problems/forbidden', status: 403 });
    expect(asChannel.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const asOperator = await call('POST', '/orders', { token: admin, body: {} });
    expect(asOperator.status).toBe(403);
    expect(asOperator.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('lets an operator\'s token manage stock, and takes the token with or without the Bearer prefix', async () => {
    const sku = uniqueSku('ADMIN');
    expect((await call('PUT', `/inventory/${sku}`, { token: admin, body: { warehouses: { 'wh-shanghai': 2 } } })).status).toBe(200);
    const read = await call('GET', `/inventory/${sku}`, { authorization: admin });
    expect(read.status).toBe(200);
    expectMatches(responseValidator(ajv, 'get', '/inventory/{sku}', 200), read.body);
  });

  it('refuses a channel-scoped token that names no channel with 403 from the handler', async () => {
    const response = await call('GET', '/orders', { token: await cloud.issueToken({ scopes: [SCOPES.channel] }) });
    expect(response.status).toBe(403);
    expect(response.body.detail).toMatch(/"channel" claim/);
  });

  it('answers a malformed %-escape in the path with 400, not 500', async () => {
    const token = await channelToken('web-shop');
    for (const path of ['/orders/%E0%A4%A', '/orders/%zz', '/carriers/sf%-express/events']) {
      const method = path.startsWith('/carriers') ? 'POST' : 'GET';
      const response = await call(method, path, { token, ...(method === 'POST' ? { body: {} } : {}) });
      expect(response.status, path).toBe(400);
      expect(response.body, path).toEqual({ message: 'Bad Request' });
    }
  });

  it('serves the OpenAPI document without a token', async () => {
    const response = await call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
  });
});

describe('channel isolation', () => {
  it('places for the token\'s channel and hides the order from every other channel', async () => {
    const web = await channelToken('web-shop');
    const market = await channelToken('marketplace');
    const placed = await call('POST', '/orders', { token: web, body: newOrder(uniqueSku('ISO')) });
    expect(placed.status).toBe(201);
    expect(placed.body.channel).toBe('web-shop');
    expectMatches(responseValidator(ajv, 'post', '/orders', 201), placed.body);
    const orderId = placed.body.orderId as string;

    expect((await call('GET', `/orders/${orderId}`, { token: market })).status).toBe(404);
    expect((await call('GET', `/orders/${orderId}/timeline`, { token: market })).status).toBe(404);
    expect((await call('POST', `/orders/${orderId}/cancel`, { token: market })).status).toBe(404);
    expect((await call('PATCH', `/orders/${orderId}/shipping-address`, { token: market, body: BEIJING })).status).toBe(404);
    const theirs = await call('GET', '/orders?limit=100', { token: market });
    expectMatches(responseValidator(ajv, 'get', '/orders', 200), theirs.body);
    expect(theirs.body.items.map((item: { orderId: string }) => item.orderId)).not.toContain(orderId);
    const mine = await call('GET', '/orders?limit=100', { token: web });
    expect(mine.body.items.map((item: { orderId: string }) => item.orderId)).toContain(orderId);

    const mismatch = await call('POST', '/orders', { token: web, body: { ...newOrder(uniqueSku('ISO')), channel: 'marketplace' } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.type).toBe('/problems/channel-mismatch');
  });
});

describe('address change and timeline', () => {
  it('either routes for the new address or refuses the change, whichever the workflow reaches first, and refuses it once routed', async () => {
    const token = await channelToken('web-shop');
    const sku = uniqueSku('RACE');
    expect((await call('PUT', `/inventory/${sku}`, { token: admin, body: { warehouses: { 'wh-shanghai': 5, 'wh-beijing': 5 } } })).status).toBe(200);
    const placed = await call('POST', '/orders', { token, body: newOrder(sku) });
    const orderId = placed.body.orderId as string;
    // Sent at once, racing the workflow the order just started.
    const changed = await call('PATCH', `/orders/${orderId}/shipping-address`, { token, body: BEIJING });
    const order = await waitForStatus(orderId, token, ['SHIPMENT_REQUESTED', 'REJECTED', 'FAILED']);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    if (changed.status === 200) {
      expectMatches(responseValidator(ajv, 'patch', '/orders/{orderId}/shipping-address', 200), changed.body);
      expect(order.route.parcels.map((p: { warehouseId: string }) => p.warehouseId)).toEqual(['wh-beijing']);
      expect(order.shipTo).toEqual(BEIJING);
    } else {
      expect(changed.status).toBe(409);
      expect(changed.body.type).toBe('/problems/order-not-amendable');
      expect(order.route.parcels.map((p: { warehouseId: string }) => p.warehouseId)).toEqual(['wh-shanghai']);
    }

    const late = await call('PATCH', `/orders/${orderId}/shipping-address`, { token, body: { ...BEIJING, line1: '9 Late Road' } });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ type: '/problems/order-not-amendable', currentStatus: 'SHIPMENT_REQUESTED' });
    expectMatches(responseValidator(ajv, 'patch', '/orders/{orderId}/shipping-address', 409), late.body);

    // The timeline names exactly the events the bus carried for the order, in order.
    await cloud.settle();
    const timeline = await call('GET', `/orders/${orderId}/timeline`, { token });
    expect(timeline.status).toBe(200);
    expectMatches(responseValidator(ajv, 'get', '/orders/{orderId}/timeline', 200), timeline.body);
    const events = (await call('GET', `/_local/events?orderId=${orderId}`)).body as Array<{ 'detail-type': string; detail: { eventId: string } }>;
    expect(timeline.body.entries.map((entry: { event: { eventId: string; detailType: string } }) => [entry.event.eventId, entry.event.detailType])).toEqual(
      events.map((event) => [event.detail.eventId, event['detail-type']]),
    );
    const types = events.map((event) => event['detail-type']);
    expect(types.includes('OrderShippingAddressChanged')).toBe(changed.status === 200);
    expect(JSON.stringify(events)).not.toContain('Chang\'an');
  });
});
