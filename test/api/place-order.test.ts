/**
 * POST /orders through the real handler against DynamoDB Local: the contract
 * channels rely on (status codes, problem+json, idempotency) and "nothing written"
 * for every bad request.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/api/place-order.ts';
import { countItems, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke, type HttpRequest } from '../support/http-event.ts';
import { orderRequest } from '../fixtures/orders.ts';

let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('place-order');
});

/** The fixture's channel, which the token acts for unless a test says otherwise. */
const CHANNEL = orderRequest().channel;

const post = (body: HttpRequest['body'], extra: Partial<HttpRequest> = {}) =>
  invoke(handler, { method: 'POST', path: '/orders', body, channel: CHANNEL, ...extra });

describe('POST /orders', () => {
  it('answers 201 with the order, its id and a Location header', async () => {
    const request = orderRequest({ attribution: { touchpoints: [{ channel: 'live-stream', campaign: 'ls-9', role: 'last', weight: 1 }], extra: { clickId: 'gclid-XYZ-31337' } } });
    const response = await post(request);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'PLACED',
      version: 1,
      channel: request.channel,
      channelOrderId: request.channelOrderId,
      totals: { itemCount: 2, amount: 2598 },
      attribution: request.attribution,
    });
    expect(response.body.orderId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(response.headers.Location).toBe(`/orders/${response.body.orderId}`);
  });

  it('answers a repeated request with 200 and the same order', async () => {
    const request = orderRequest();
    const first = await post(request);
    const again = await post({ ...request, lines: [...request.lines] });
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(first.body.orderId);
  });

  it('answers 409 when the channel order id is reused with a different body', async () => {
    const request = orderRequest();
    const first = await post(request);
    const response = await post({ ...request, currency: 'EUR' });
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: '/problems/idempotency-conflict', status: 409, orderId: first.body.orderId });
  });

  it('treats an Idempotency-Key header the same way', async () => {
    const key = `key-${Date.now()}`;
    const request = orderRequest();
    const first = await post(request, { headers: { 'Idempotency-Key': key } });
    const again = await post(request, { headers: { 'idempotency-key': key } });
    const other = await post(orderRequest(), { headers: { 'Idempotency-Key': key } });
    expect([first.status, again.status, other.status]).toEqual([201, 200, 409]);
    expect(again.body.orderId).toBe(first.body.orderId);
  });

  it('creates exactly one order when the same request races with itself', async () => {
    const request = orderRequest();
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(request)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
    expect(new Set(responses.filter((r) => r.status < 300).map((r) => r.body.orderId)).size).toBe(1);
  });

  it('places the order for the token\'s channel; `channel` in the body may be left out, and is the same request', async () => {
    const { channel: _channel, ...withoutChannel } = orderRequest();
    const first = await post(withoutChannel, { channel: 'live-shop' });
    expect(first.status).toBe(201);
    expect(first.body.channel).toBe('live-shop');
    const again = await post({ ...withoutChannel, channel: 'live-shop' }, { channel: 'live-shop' });
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(first.body.orderId);
  });

  it('keeps channel order ids and idempotency keys per channel: two channels may use the same ones', async () => {
    const { channel: _channel, ...request } = orderRequest();
    const key = `shared-key-${Date.now()}`;
    const web = await post(request, { channel: 'web-shop', headers: { 'Idempotency-Key': key } });
    const market = await post(request, { channel: 'marketplace', headers: { 'Idempotency-Key': key } });
    expect([web.status, market.status]).toEqual([201, 201]);
    expect(market.body.orderId).not.toBe(web.body.orderId);
    expect(market.body.channel).toBe('marketplace');
  });

  it('accepts a base64-encoded body, as API Gateway sends non-text payloads', async () => {
    const response = await post(orderRequest(), { base64: true });
    expect(response.status).toBe(201);
  });
});

describe('POST /orders with bad input', () => {
  const valid = orderRequest();
  const cases: Array<{ name: string; request: Partial<HttpRequest> & { body?: HttpRequest['body'] }; status: number; type: string; paths?: string[] }> = [
    { name: 'malformed JSON', request: { body: '{"channel": "web-shop",' }, status: 400, type: '/problems/malformed-json' },
    { name: 'no body', request: { body: undefined }, status: 400, type: '/problems/validation-error', paths: ['$'] },
    { name: 'a JSON array', request: { body: '[]' }, status: 400, type: '/problems/validation-error', paths: ['$'] },
    {
      name: 'wrong types',
      request: { body: { ...valid, currency: 978, lines: [{ sku: 'A', quantity: '2', unitPrice: 1.5 }] } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$.currency', '$.lines[0].quantity', '$.lines[0].unitPrice'],
    },
    {
      name: 'missing fields',
      request: { body: { channel: valid.channel, lines: valid.lines, shipTo: { ...valid.shipTo, phone: undefined } } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$.channelOrderId', '$.currency', '$.customer', '$.shipTo.phone'],
    },
    {
      name: 'unknown enum values',
      request: { body: { ...valid, customer: { id: 'c1', tier: 'gold' }, deliveryPreference: 'teleport' } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$.customer.tier', '$.deliveryPreference'],
    },
    {
      name: 'non-positive quantities',
      request: { body: { ...valid, lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }, { sku: 'B', quantity: -3, unitPrice: 1 }] } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$.lines[0].quantity', '$.lines[1].quantity'],
    },
    { name: 'no lines', request: { body: { ...valid, lines: [] } }, status: 400, type: '/problems/validation-error', paths: ['$.lines'] },
    {
      name: 'an unknown field',
      request: { body: { ...valid, discount: 10 } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$'],
    },
    {
      name: 'an oversize body',
      request: { body: { ...valid, attribution: { extra: { note: 'x'.repeat(70 * 1024) } } } },
      status: 413,
      type: '/problems/body-too-large',
    },
    {
      name: 'a non-JSON content type',
      request: { body: 'channel=web-shop', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      status: 415,
      type: '/problems/unsupported-media-type',
    },
    {
      name: 'a body naming another channel than the token\'s',
      request: { body: { ...valid, channel: 'marketplace' } },
      status: 403,
      type: '/problems/channel-mismatch',
    },
    {
      name: 'a token without a channel claim',
      request: { body: valid, channel: undefined },
      status: 403,
      type: '/problems/forbidden',
    },
    {
      name: 'a bad Idempotency-Key header',
      request: { body: orderRequest(), headers: { 'Idempotency-Key': 'has spaces in it' } },
      status: 400,
      type: '/problems/validation-error',
      paths: ['$'],
    },
  ];

  it.each(cases)('refuses $name with $status problem+json and writes nothing', async ({ request, status, type, paths }) => {
    const before = await countItems(tableName);
    const response = await invoke(handler, { method: 'POST', path: '/orders', channel: CHANNEL, ...request });
    expect(response.status).toBe(status);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
    if (paths) expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(expect.arrayContaining(paths));
    expect(await countItems(tableName)).toBe(before);
  });

  it('names each failing field with a JSON path and a JSON pointer', async () => {
    const response = await post({ ...valid, lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] });
    expect(response.body.errors).toContainEqual({
      path: '$.lines[0].quantity',
      pointer: '/lines/0/quantity',
      message: expect.any(String),
    });
  });
});
