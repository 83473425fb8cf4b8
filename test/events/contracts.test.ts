/**
 * The published event contracts: the checked-in files are what the zod schemas generate,
 * they compile, the events the domain emits satisfy them, events that leak or lose data
 * do not, and the AsyncAPI document is AsyncAPI 3.0 with every reference resolving.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DETAIL_TYPES, DETAIL_TYPES, orderEventOf, type OrderEvent } from '../../functions/domain/events.ts';
import { ORDER_STATUSES, changeShippingAddress, placeOrder, type OrderStatus } from '../../functions/domain/order.ts';
import {
  ASYNCAPI_FILE,
  asyncApiDocument,
  contractFiles,
  EVENT_CONTRACTS_DIR,
  eventContracts,
  type JsonSchema,
} from '../../functions/events/event-contracts.ts';
import { ORDER_EVENT_SOURCE } from '../../lib/event-publishing.ts';
import { orderThrough } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { checkedInDetailValidator, newAjv } from '../support/event-contracts.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const contracts = eventContracts(ORDER_EVENT_SOURCE);
const validateDetail = checkedInDetailValidator();

const orderAt = (status: (typeof ORDER_STATUSES)[number]) =>
  orderThrough(placeOrder(orderRequest(), '01JCONTRACT0000000000000000', '2025-04-02T08:00:00.000Z'), status);
const eventAt = (status: (typeof ORDER_STATUSES)[number]): OrderEvent => orderEventOf(orderAt(status));

/** The event as EventBridge delivers it to a rule target. */
const delivered = (detail: OrderEvent) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': detail.type,
  source: ORDER_EVENT_SOURCE,
  account: '123456789012',
  time: '2025-04-02T08:10:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

describe('checked-in contracts', () => {
  it('are exactly what `npm run contracts` generates from the zod schemas', () => {
    for (const [file, content] of contractFiles(ORDER_EVENT_SOURCE)) {
      expect(readFileSync(join(ROOT, file), 'utf8'), `${file} is stale: run npm run contracts`).toBe(content);
    }
  });

  it('hold one schema per detail-type the domain publishes (per status and per amendment), and nothing else', () => {
    expect(readdirSync(join(ROOT, EVENT_CONTRACTS_DIR)).sort()).toEqual(
      ALL_DETAIL_TYPES
        .map((type) => `${type}.v1.json`)
        .sort(),
    );
  });

  it('are JSON Schema 2020-12 documents that compile in strict mode', () => {
    for (const { file, detailSchema } of contracts) {
      expect(detailSchema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
      const ajv = newAjv('2020-12');
      expect(() => ajv.compile(detailSchema), file).not.toThrow();
    }
  });
});

describe('events the domain emits', () => {
  it.each(ORDER_STATUSES)('validate against the checked-in schema of their detail-type, in %s', (status) => {
    const event = eventAt(status);
    expect(event.type).toBe(DETAIL_TYPES[status]);
    expect(validateDetail(event)).toEqual([]);
  });

  it.each(['PLACED', 'STOCK_LOCKED'] as const)('validate as OrderShippingAddressChanged after an address change in %s', (status) => {
    const order = orderAt(status);
    const changed = changeShippingAddress(order, { ...order.shipTo, region: 'Hainan', city: 'Haikou', line1: '1 Binhai Avenue' }, '2025-04-02T09:00:00.000Z');
    const event = orderEventOf(changed);
    expect(event).toMatchObject({ type: 'OrderShippingAddressChanged', status, previousStatus: status });
    expect(validateDetail(event)).toEqual([]);
    expect(JSON.stringify(event)).not.toContain('Binhai');
  });

  it('do not validate against another detail-type\'s schema', () => {
    const placed = eventAt('PLACED');
    expect(validateDetail({ ...placed, type: 'OrderStockLocked' })).toContainEqual(
      expect.objectContaining({ instancePath: '/status' }),
    );
  });
});

describe('schemas refuse an event that', () => {
  const shipped = eventAt('SHIPPED');
  const broken = (change: (event: any) => void) => {
    const event = structuredClone(shipped) as any;
    change(event);
    return validateDetail(event);
  };

  it('lacks a field', () => {
    expect(broken((e) => delete e.sequence)).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'sequence' } }));
    expect(broken((e) => delete e.data.shipment)).toContainEqual(
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'shipment' } }),
    );
  });

  it('carries the street, postal code or name of the ship-to', () => {
    for (const [field, value] of [['line1', '88 Century Avenue'], ['postalCode', '200000'], ['name', 'Li Wei']]) {
      expect(broken((e) => (e.data.shipTo[field!] = value))).toContainEqual(
        expect.objectContaining({ instancePath: '/data/shipTo', keyword: 'additionalProperties', params: { additionalProperty: field } }),
      );
    }
  });

  it('carries more of the phone than its last four digits', () => {
    expect(broken((e) => (e.data.shipTo.phone = '+86 138 0013 8000'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/shipTo/phone', keyword: 'pattern' }),
    );
    expect(broken((e) => (e.data.shipTo.phone = '+** *** ***3 8000'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/shipTo/phone', keyword: 'pattern' }),
    );
  });

  it('carries personal data anywhere else: attribution, a customer id, a note on a parcel', () => {
    expect(broken((e) => (e.data.attribution = { touchpoints: [] }))).toContainEqual(
      expect.objectContaining({ instancePath: '/data', params: { additionalProperty: 'attribution' } }),
    );
    expect(broken((e) => (e.customerId = 'cust-42'))).toContainEqual(expect.objectContaining({ instancePath: '', params: { additionalProperty: 'customerId' } }));
    expect(broken((e) => (e.data.shipment.parcels[0].recipient = 'Li Wei'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/shipment/parcels/0', params: { additionalProperty: 'recipient' } }),
    );
  });
});

describe('schemas refuse free text where a code or a place belongs', () => {
  const withChange = (status: OrderStatus, change: (event: any) => void) => {
    const event = structuredClone(eventAt(status)) as any;
    change(event);
    return validateDetail(event);
  };

  it('a cancellation reason that is not a code', () => {
    expect(withChange('CANCELLED', (e) => (e.data.reason = 'Customer Li Wei, tel 13800138000'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/reason', keyword: 'enum' }),
    );
  });

  it('a region or city with digits, a channel order id with `@` or spaces', () => {
    expect(withChange('SHIPPED', (e) => (e.data.shipTo.city = 'Li Wei 13800138000'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/shipTo/city', keyword: 'pattern' }),
    );
    expect(withChange('SHIPPED', (e) => (e.data.shipTo.region = '88 Century Avenue'))).toContainEqual(
      expect.objectContaining({ instancePath: '/data/shipTo/region', keyword: 'pattern' }),
    );
    for (const id of ['li.wei@example.com', 'Li Wei']) {
      expect(withChange('SHIPPED', (e) => (e.channelOrderId = id))).toContainEqual(expect.objectContaining({ instancePath: '/channelOrderId', keyword: 'pattern' }));
    }
  });
});

describe('schema registry copies', () => {
  /** Keywords of JSON Schema draft 4 (core and validation), plus the registry's own `x-amazon-events-*`. */
  const DRAFT_4 = new Set([
    '$schema', 'id', '$ref', 'title', 'description', 'default', 'type', 'enum', 'format', 'properties', 'required',
    'additionalProperties', 'patternProperties', 'items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems',
    'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
    'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not', 'definitions', 'dependencies',
    'x-amazon-events-source', 'x-amazon-events-detail-type',
  ]);
  const keywordsOf = (schema: unknown, into = new Set<string>()): Set<string> => {
    if (Array.isArray(schema)) schema.forEach((item) => keywordsOf(item, into));
    else if (schema && typeof schema === 'object') {
      for (const [key, value] of Object.entries(schema)) {
        // Names under these are property or definition names, not keywords.
        if (key === 'properties' || key === 'definitions' || key === 'patternProperties') {
          Object.values(value as object).forEach((inner) => keywordsOf(inner, into));
        } else {
          into.add(key);
          if (typeof value === 'object') keywordsOf(value, into);
        }
      }
    }
    return into;
  };

  it('are draft 4 documents (what the registry accepts besides OpenAPI 3), naming their source and detail-type', () => {
    for (const { detailType, registrySchema } of contracts) {
      expect(registrySchema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      expect(registrySchema['x-amazon-events-detail-type']).toBe(detailType);
      expect(registrySchema['x-amazon-events-source']).toBe(ORDER_EVENT_SOURCE);
      expect([...keywordsOf(registrySchema)].filter((keyword) => !DRAFT_4.has(keyword)), detailType).toEqual([]);
    }
  });

  it('describe the whole EventBridge event, and accept the events the domain emits as delivered', () => {
    // Draft 4 and draft 7 agree on every keyword the copies use (no boolean exclusive bounds, no `id`).
    const ajv = newAjv('draft-07');
    ajv.addKeyword('x-amazon-events-source').addKeyword('x-amazon-events-detail-type');
    const validators = new Map(contracts.map(({ detailType, registrySchema: { $schema: _draft4, ...schema } }) => [detailType, ajv.compile(schema)]));
    for (const status of ORDER_STATUSES) {
      const event = delivered(eventAt(status));
      const validate = validators.get(event['detail-type'])!;
      expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
      expect(validate({ ...event, detail: { ...event.detail, data: { ...event.detail.data, customerName: 'Li Wei' } } })).toBe(false);
      expect(validate({ ...event, source: 'someone-else' })).toBe(false);
    }
  });
});

describe('AsyncAPI document', () => {
  const document = JSON.parse(readFileSync(join(ROOT, ASYNCAPI_FILE), 'utf8')) as JsonSchema;
  const resolve = (ref: string): unknown =>
    ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<any>((node, part) => node?.[part], document);
  const refsIn = (node: unknown): string[] =>
    Array.isArray(node)
      ? node.flatMap(refsIn)
      : node && typeof node === 'object'
        ? Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : refsIn(value)))
        : [];

  it('is AsyncAPI 3.0 with info, servers, channels, operations and component messages', () => {
    expect(document).toEqual(asyncApiDocument(ORDER_EVENT_SOURCE));
    expect(document).toMatchObject({
      asyncapi: '3.0.0',
      info: { title: expect.any(String), version: '1.0' },
      servers: { eventbridge: { host: expect.any(String), protocol: expect.any(String) } },
      channels: { orderEvents: { address: 'order-pipeline-{stage}' } },
      operations: { publishOrderEvent: { action: 'send', channel: { $ref: '#/channels/orderEvents' } } },
    });
    // AsyncAPI 3.0 has no top-level `paths`, and no `publish`/`subscribe` on channels (2.x).
    expect(Object.keys(document).sort()).toEqual(['asyncapi', 'channels', 'components', 'defaultContentType', 'info', 'operations', 'servers']);
    expect(Object.keys(document.channels as object)).toEqual(['orderEvents']);
  });

  it('lists every detail-type as a message of the channel, each sent by the operation', () => {
    const detailTypes = ALL_DETAIL_TYPES;
    const channel = (document.channels as any).orderEvents;
    expect(Object.keys(channel.messages).sort()).toEqual([...detailTypes].sort());
    expect(Object.keys((document.components as any).messages).sort()).toEqual([...detailTypes].sort());
    // An operation's messages must be the channel's own messages.
    expect((document.operations as any).publishOrderEvent.messages.map((m: { $ref: string }) => m.$ref).sort()).toEqual(
      detailTypes.map((type) => `#/channels/orderEvents/messages/${type}`).sort(),
    );
  });

  it('has every $ref resolving inside the document', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(30);
    const dangling = refs.filter((ref) => !ref.startsWith('#/') || resolve(ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('has message payloads that accept the events the domain emits as EventBridge delivers them, and refuse leaks', () => {
    // Not strict: the document around the schemas is AsyncAPI, not JSON Schema.
    const ajv = newAjv('draft-07', { strict: false });
    ajv.addSchema(document, 'asyncapi');
    for (const status of ORDER_STATUSES) {
      const event = delivered(eventAt(status));
      const validate = ajv.getSchema(`asyncapi#/components/messages/${event['detail-type']}/payload`)!;
      expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
      expect(validate({ ...event, detail: { ...event.detail, data: { ...event.detail.data, shipTo: { ...event.detail.data.shipTo, line1: 'x' } } } })).toBe(
        false,
      );
    }
  });
});
