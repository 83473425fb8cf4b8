/**
 * What a shop would not want stored is refused at the edge with a precise 400, and
 * nothing is written: attribution that is free-form or looks like personal data, control and bidi-override characters,
 * bytes that are not UTF-8, currencies that are not ISO 4217 and duplicate JSON keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/api/place-order.ts';
import { countItems, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke, type HttpRequest } from '../support/http-event.ts';
import { orderRequest } from '../fixtures/orders.ts';
import type { Attribution } from '../../functions/domain/attribution.ts';

let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('request-hygiene');
});

const CHANNEL = orderRequest().channel;
const post = (body: HttpRequest['body'], extra: Partial<HttpRequest> = {}) =>
  invoke(handler, { method: 'POST', path: '/orders', body, channel: CHANNEL, ...extra });

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

describe('attribution', () => {
  it('accepts typed touchpoints and a flat extra map', async () => {
    const attribution: Attribution = {
      touchpoints: [
        { channel: 'search', campaign: 'spring-sale-2026', medium: 'cpc', timestamp: '2026-03-01T10:00:00+08:00', role: 'first', weight: 0.4, deviceClass: 'mobile' },
        { channel: 'live-stream', campaign: 'creator-zq81', role: 'last', weight: 0.6 },
      ],
      extra: { clickId: 'gclid-XYZ-31337', experiment: 'b', firstVisit: true, visits: 3 },
    };
    const response = await post(orderRequest({ attribution }));
    expect(response.status).toBe(201);
    expect(response.body.attribution).toEqual(attribution);
  });

  it.each([
    ['an e-mail address in a campaign', { touchpoints: [{ channel: 'email', campaign: 'li.wei@example.com' }] }, '$.attribution.touchpoints[0].campaign', /e-mail/],
    ['a mobile number in extra', { extra: { contact: '138 0013 8000' } }, '$.attribution.extra.contact', /phone/],
    ['a phone number as a number', { extra: { contact: 13800138000 } }, '$.attribution.extra.contact', /phone/],
    ['a resident ID number', { extra: { ref: '110101199003071234' } }, '$.attribution.extra.ref', /ID number/],
    ['a resident ID number ending in X', { touchpoints: [{ channel: '11010119900307123X' }] }, '$.attribution.touchpoints[0].channel', /ID number/],
    ['a phone number as a key', { extra: { '13800138000': true } }, '$.attribution.extra["13800138000"]', /./],
  ])('refuses %s with 400 naming the field', async (_name, attribution, path, message) => {
    const response = await expectRefused(orderRequest({ attribution: attribution as never }), path);
    expect(JSON.stringify(response.body.errors)).toMatch(message);
  });

  it('refuses free-form shapes: unknown keys, nesting in extra, untyped touchpoints', async () => {
    await expectRefused(orderRequest({ attribution: { campaign: 'spring' } as never }), '$.attribution');
    await expectRefused(orderRequest({ attribution: { extra: { deep: { a: 'b' } } } as never }), '$.attribution.extra.deep');
    await expectRefused(orderRequest({ attribution: { touchpoints: [{ kind: 'live-stream' }] } as never }), '$.attribution.touchpoints[0]');
  });

  it('bounds touchpoints, extra keys and text length', async () => {
    const touchpoints = Array.from({ length: 21 }, () => ({ channel: 'search' }));
    await expectRefused(orderRequest({ attribution: { touchpoints } }), '$.attribution.touchpoints');
    const extra = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    await expectRefused(orderRequest({ attribution: { extra } }), '$.attribution.extra');
    await expectRefused(orderRequest({ attribution: { extra: { note: 'x'.repeat(101) } } }), '$.attribution.extra.note');
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
    await expectRefused(orderRequest({ attribution: { touchpoints: [{ channel: 'search', campaign: 'spring\u202Esale' }] } }), '$.attribution.touchpoints[0].campaign');
    await expectRefused(orderRequest({ attribution: { extra: { 'cam\u0000paign': 'spring' } } }), '$.attribution.extra["cam\\u0000paign"]');
  });

  it('refuses a channel order id with `@` or spaces: it is published, so it must be a key, not prose', async () => {
    for (const channelOrderId of ['li.wei@example.com', 'Li Wei 13800138000', 'x'.repeat(65)]) {
      await expectRefused(orderRequest({ channelOrderId }), '$.channelOrderId');
    }
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
