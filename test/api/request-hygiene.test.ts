/**
 * What a shop would not want stored is refused at the edge with a precise 400, and
 * nothing is written: unbounded `attribution`, control and bidi-override characters,
 * bytes that are not UTF-8, currencies that are not ISO 4217 and duplicate JSON keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/api/place-order.ts';
import { countItems, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke, type HttpRequest } from '../support/http-event.ts';
import { orderRequest } from '../fixtures/orders.ts';

let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('request-hygiene');
});

const CHANNEL = orderRequest().channel;
const post = (body: HttpRequest['body'], extra: Partial<HttpRequest> = {}) =>
  invoke(handler, { method: 'POST', path: '/orders', body, channel: CHANNEL, ...extra });

/** `{ a: { a: ... { a: 'leaf' } } }`, `depth` objects deep. */
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { a: 'leaf' };
  for (let level = 1; level < depth; level++) value = { a: value };
  return value;
};

/** Refused with 400, naming `path` among the failing fields, and nothing written. */
async function expectRefused(body: HttpRequest['body'], path: string, extra: Partial<HttpRequest> = {}) {
  const before = await countItems(tableName);
  const response = await post(body, extra);
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.headers['Content-Type']).toBe('application/problem+json');
  expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  expect(await countItems(tableName)).toBe(before);
  return response;
}

describe('attribution bounds', () => {
  it('accepts attribution 8 levels deep', async () => {
    expect((await post(orderRequest({ attribution: nested(8) }))).status).toBe(201);
  });

  it('refuses attribution 9 levels deep with 400 and the path where it gets too deep', async () => {
    const response = await expectRefused(orderRequest({ attribution: nested(9) }), `$.attribution${'.a'.repeat(8)}`);
    expect(response.body.errors[0].message).toMatch(/deep/);
  });

  it('refuses attribution 32 levels deep with 400, not 500', async () => {
    await expectRefused(orderRequest({ attribution: nested(32) }), `$.attribution${'.a'.repeat(8)}`);
  });

  it('refuses attribution of more than 200 keys in total', async () => {
    const attribution = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, nested(1)]));
    expect((await post(orderRequest({ attribution }))).status).toBe(201);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, { x: i }]));
    await expectRefused(orderRequest({ attribution: many }), '$.attribution');
  });

  it('refuses attribution larger than 32 KB serialized', async () => {
    const attribution = { notes: Array.from({ length: 40 }, () => 'x'.repeat(1000)) };
    await expectRefused(orderRequest({ attribution }), '$.attribution');
  });
});

describe('text fields', () => {
  it('refuses control characters in a text field, with its path', async () => {
    const request = orderRequest();
    await expectRefused({ ...request, shipTo: { ...request.shipTo, name: 'Li\u0007Wei' } }, '$.shipTo.name');
    await expectRefused({ ...request, shipTo: { ...request.shipTo, line1: '88 Century\nAvenue' } }, '$.shipTo.line1');
  });

  it('refuses bidi override and isolate characters, with the path', async () => {
    const request = orderRequest();
    await expectRefused({ ...request, shipTo: { ...request.shipTo, city: 'Shang\u202Ehai' } }, '$.shipTo.city');
    await expectRefused({ ...request, customer: { ...request.customer, id: 'cust\u2066-42' } }, '$.customer.id');
  });

  it('refuses them in attribution strings and keys too', async () => {
    await expectRefused(orderRequest({ attribution: { campaign: 'spring\u202Esale' } }), '$.attribution.campaign');
    await expectRefused(orderRequest({ attribution: { 'cam\u0000paign': 'spring' } }), '$.attribution');
  });

  it('accepts letters of any script', async () => {
    const request = orderRequest();
    const response = await post({ ...request, shipTo: { ...request.shipTo, name: '李伟', line1: 'Çarşı Cd. 12 – Ümraniye' } });
    expect(response.status).toBe(201);
    expect(response.body.shipTo.name).toBe('李伟');
  });
});

describe('encoding and JSON', () => {
  it('refuses a body that is not valid UTF-8 with 400, instead of storing U+FFFD', async () => {
    const text = JSON.stringify(orderRequest());
    const bytes = Buffer.from(text.replace('Li Wei', 'Li W\u00e9i'), 'utf8');
    const at = bytes.indexOf(Buffer.from('\u00e9', 'utf8'));
    bytes[at] = 0xff;
    const before = await countItems(tableName);
    const response = await post(bytes);
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('/problems/malformed-json');
    expect(response.body.detail).toMatch(/UTF-8/);
    // A gateway that decoded the bytes as text has already put U+FFFD where they were.
    const replaced = await post(text.replace('Li Wei', 'Li W\uFFFDi'));
    expect(replaced.status).toBe(400);
    expect(replaced.body.detail).toMatch(/UTF-8/);
    expect(await countItems(tableName)).toBe(before);
  });

  it('refuses duplicate keys, at any depth, naming the key', async () => {
    const request = orderRequest();
    const text = JSON.stringify(request).replace('"currency":"CNY"', '"currency":"CNY","currency":"EUR"');
    const before = await countItems(tableName);
    const top = await post(text);
    expect(top.status).toBe(400);
    expect(top.body.type).toBe('/problems/malformed-json');
    expect(top.body.detail).toContain('"currency"');
    const deep = await post(JSON.stringify(request).replace('"city":"Shanghai"', '"city":"Shanghai","city":"Beijing"'));
    expect(deep.status).toBe(400);
    expect(deep.body.detail).toContain('$.shipTo');
    expect(await countItems(tableName)).toBe(before);
  });

  it('refuses currencies that are not ISO 4217', async () => {
    await expectRefused(orderRequest({ currency: 'ABC' }), '$.currency');
    await expectRefused(orderRequest({ currency: 'XYZ' }), '$.currency');
    expect((await post(orderRequest({ currency: 'EUR' }))).status).toBe(201);
    expect((await post(orderRequest({ currency: 'JPY' }))).status).toBe(201);
  });
});
