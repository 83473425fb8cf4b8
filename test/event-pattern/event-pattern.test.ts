import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventError,
  InvalidEventPatternError,
  testEventPattern,
  validateEvent,
} from '../../packages/event-pattern/index.ts';

// An event as EventBridge delivers it, with the given detail.
function envelope(detailType: string, detail: unknown, source = 'order-pipeline'): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2025-01-08T15:30:36Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

const orderPlaced = envelope('OrderPlaced', {
  orderId: '01JH2Z6Y3K4M5N6P7Q8R9S0T1V',
  sequence: 1,
  status: 'PLACED',
  previousStatus: null,
  channel: 'web',
  data: {
    customerTier: 'gold',
    currency: 'EUR',
    totals: { itemCount: 3, amount: 149.9 },
    lines: [
      { sku: 'SKU-RED', quantity: 1, unitPrice: 49.9 },
      { sku: 'SKU-BLUE', quantity: 2, unitPrice: 50 },
    ],
    shipTo: { country: 'DE', region: 'BE', city: 'Berlin', phone: '*******1234' },
  },
});

const matches = (pattern: unknown, event: unknown): boolean => compileEventPattern(JSON.stringify(pattern)).matchesEvent(event);
const rejects = (patternText: string, reason: string): void => {
  expect(() => compileEventPattern(patternText)).toThrow(new InvalidEventPatternError(reason));
};

describe('the patterns this project deploys', () => {
  it('starts fulfilment only for OrderPlaced from our source (lib/fulfilment-workflow.ts)', () => {
    const rule = compileEventPattern('{"source":["order-pipeline"],"detail-type":["OrderPlaced"]}');
    expect(rule.matchesEvent(orderPlaced)).toBe(true);
    expect(rule.matchesEvent({ ...orderPlaced, 'detail-type': 'OrderShipped' })).toBe(false);
    expect(rule.matchesEvent({ ...orderPlaced, source: 'orders' })).toBe(false);
  });

  it('matches source and detail-type exactly, case and all', () => {
    const rule = compileEventPattern('{"source":["orders"],"detail-type":["OrderPlaced"]}');
    expect(rule.matchesEvent(envelope('OrderPlaced', {}, 'orders'))).toBe(true);
    expect(rule.matchesEvent(envelope('orderplaced', {}, 'orders'))).toBe(false);
    expect(rule.matchesEvent(envelope('OrderPlaced', {}, 'orders.eu'))).toBe(false);
  });

  it('archives by account: a string pattern does not match a numeric account, and vice versa', () => {
    expect(matches({ account: ['123456789012'] }, orderPlaced)).toBe(true);
    expect(matches({ account: [123456789012] }, orderPlaced)).toBe(false);
    // Too large to compare numerically, so it matches by its exact text only.
    expect(compileEventPattern('{"n":[12345678901234567890]}').matches('{"n":12345678901234567890}')).toBe(true);
    expect(compileEventPattern('{"n":[12345678901234567890]}').matches('{"n":1.2345678901234567890e19}')).toBe(false);
  });
});

describe('numeric matching', () => {
  const amount = (range: unknown[]) => ({ detail: { data: { totals: { amount: [{ numeric: range }] } } } });
  const withAmount = (value: number) => envelope('OrderPlaced', { data: { totals: { amount: value } } });

  it('honours open and closed bounds', () => {
    expect(matches(amount(['>', 100, '<=', 149.9]), withAmount(149.9))).toBe(true);
    expect(matches(amount(['>', 100, '<', 149.9]), withAmount(149.9))).toBe(false);
    expect(matches(amount(['>=', 100]), withAmount(100))).toBe(true);
    expect(matches(amount(['>', 100]), withAmount(100))).toBe(false);
    expect(matches(amount(['<', 0]), withAmount(-0.000001))).toBe(true);
    expect(matches(amount(['=', 3.018e2]), withAmount(301.8))).toBe(true);
  });

  it('compares by value, not by lexeme', () => {
    const rule = compileEventPattern('{"n":[{"numeric":["=",300]}],"m":[5]}');
    expect(rule.matches('{"n":3.0e2,"m":5.000}')).toBe(true);
    expect(rule.matches('{"n":"300","m":5}')).toBe(false);
  });

  it('only applies to JSON numbers within ±5e9', () => {
    const rule = compileEventPattern('{"n":[{"numeric":["<",0]}]}');
    expect(rule.matches('{"n":-5000000000}')).toBe(true);
    expect(rule.matches('{"n":-5000000001}')).toBe(false);
    expect(rule.matches('{"n":null}')).toBe(false);
  });

  it('rejects malformed ranges and operands AWS cannot compare', () => {
    rejects('{"n":[{"numeric":[">=",5,"<=",5]}]}', 'Bottom must be less than top');
    rejects('{"n":[{"numeric":["<",10,">",0]}]}', 'Too many elements in numeric expression');
    rejects('{"n":[{"numeric":[">",0,">",5]}]}', 'Bad numeric range operator: >');
    rejects('{"n":[{"numeric":["!=",5]}]}', 'Unrecognized numeric range operator: !=');
    rejects('{"n":[{"numeric":[">","5"]}]}', 'Value of > must be numeric');
    rejects('{"n":[{"numeric":[]}]}', 'Invalid member in numeric match: ]');
    rejects('{"n":[{"numeric":[">",1e10]}]}', 'Value must be between -5.0E9 and 5.0E9, inclusive');
    rejects('{"n":[{"numeric":["=",0.0000001]}]}', 'Only values upto 6 decimals are supported');
  });
});

describe('$or', () => {
  it('matches when any branch does, with fields outside the $or required by every branch', () => {
    const rule = compileEventPattern(
      JSON.stringify({
        source: ['order-pipeline'],
        $or: [{ 'detail-type': ['OrderPlaced'] }, { detail: { data: { customerTier: ['platinum'] } } }],
        detail: { channel: ['web'] },
      }),
    );
    expect(rule.matchesEvent(orderPlaced)).toBe(true);
    expect(rule.matchesEvent({ ...orderPlaced, 'detail-type': 'OrderRouted' })).toBe(false);
    expect(rule.matchesEvent({ ...orderPlaced, detail: { ...(orderPlaced['detail'] as object), channel: 'pos' } })).toBe(false);
  });

  it('works nested inside objects and inside other $or branches', () => {
    const rule = compileEventPattern(
      JSON.stringify({
        detail: {
          $or: [
            { status: ['CANCELLED'] },
            { status: ['PLACED'], $or: [{ channel: ['pos'] }, { data: { currency: ['EUR'] } }] },
          ],
        },
      }),
    );
    expect(rule.matchesEvent(orderPlaced)).toBe(true);
    expect(rule.matchesEvent(envelope('OrderPlaced', { status: 'PLACED', channel: 'web', data: { currency: 'USD' } }))).toBe(false);
  });

  it('rejects the forms AWS rejects', () => {
    rejects('{"$or":[{"a":["1"]}]}', 'There must have at least 2 Objects in $or relationship.');
    rejects('{"$or":{"a":["1"]}}', 'It must be an Array followed with $or.');
    rejects('{"$or":[{"a":["1"]},"b"]}', 'Only JSON object is allowed in array of $or relationship.');
    rejects('{"$or":[{"prefix":["1"]},{"b":["2"]}]}', 'prefix is Ruler reserved fieldName which cannot be used inside $or.');
  });
});

describe('string matching on nested fields', () => {
  it('prefix and suffix, with and without case', () => {
    expect(matches({ detail: { data: { lines: { sku: [{ prefix: 'SKU-' }] } } } }, orderPlaced)).toBe(true);
    expect(matches({ detail: { data: { lines: { sku: [{ prefix: 'sku-' }] } } } }, orderPlaced)).toBe(false);
    expect(matches({ detail: { data: { lines: { sku: [{ prefix: { 'equals-ignore-case': 'sku-' } }] } } } }, orderPlaced)).toBe(true);
    expect(matches({ detail: { data: { shipTo: { city: [{ suffix: { 'equals-ignore-case': 'LIN' } }] } } } }, orderPlaced)).toBe(true);
    expect(matches({ detail: { data: { shipTo: { city: [{ suffix: 'LIN' }] } } } }, orderPlaced)).toBe(false);
  });

  it('never applies string operators to numbers', () => {
    expect(matches({ detail: { sequence: [{ prefix: '1' }] } }, orderPlaced)).toBe(false);
    expect(matches({ detail: { sequence: [{ 'anything-but': { prefix: '1' } }] } }, orderPlaced)).toBe(true);
  });

  it('wildcards, with escaped stars', () => {
    const rule = compileEventPattern('{"detail":{"key":[{"wildcard":"reports/*/2025-*.csv"}]}}');
    expect(rule.matchesEvent(envelope('x', { key: 'reports/eu/west/2025-01.csv' }))).toBe(true);
    expect(rule.matchesEvent(envelope('x', { key: 'reports/eu/2024-01.csv' }))).toBe(false);
    const literalStar = compileEventPattern('{"key":[{"wildcard":"a\\\\*b"}]}');
    expect(literalStar.matches('{"key":"a*b"}')).toBe(true);
    expect(literalStar.matches('{"key":"axb"}')).toBe(false);
    rejects('{"key":[{"wildcard":"a**b"}]}', 'Consecutive wildcard characters at pos 2');
    rejects('{"key":[{"wildcard":"a\\\\xb"}]}', 'Invalid escape character at pos 2');
  });

  it('limits wildcard complexity per field, not per pattern', () => {
    expect(() => compileEventPattern('{"f":[{"wildcard":"*/datasync/*.bif"},{"wildcard":"*/datasync/*.tif"}]}')).not.toThrow();
    rejects(
      '{"f":[{"wildcard":"*.bif"},{"wildcard":"*.tiff"},{"wildcard":"*.tif"},{"wildcard":"*.svs"}]}',
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  });
});

describe('arrays in events', () => {
  it('matches when any element matches', () => {
    expect(matches({ detail: { data: { lines: { sku: ['SKU-BLUE', 'SKU-GREEN'] } } } }, orderPlaced)).toBe(true);
    expect(matches({ detail: { data: { lines: { sku: ['SKU-GREEN'] } } } }, orderPlaced)).toBe(false);
  });

  it('never combines fields from different elements of the same array', () => {
    const line = (sku: string, range: unknown[]) => ({ detail: { data: { lines: { sku: [sku], quantity: [{ numeric: range }] } } } });
    expect(matches(line('SKU-BLUE', ['>=', 2]), orderPlaced)).toBe(true);
    expect(matches(line('SKU-RED', ['>=', 2]), orderPlaced)).toBe(false);
  });

  it('anything-but matches if any element is not excluded; an empty array has no value at all', () => {
    const rule = compileEventPattern('{"tags":[{"anything-but":["internal"]}]}');
    expect(rule.matches('{"tags":["internal","public"]}')).toBe(true);
    expect(rule.matches('{"tags":["internal"]}')).toBe(false);
    expect(rule.matches('{"tags":[]}')).toBe(false);
  });
});

describe('exists', () => {
  it('sees leaf values only: null exists, objects and empty arrays do not', () => {
    const present = compileEventPattern('{"a":[{"exists":true}]}');
    expect(present.matches('{"a":null}')).toBe(true);
    expect(present.matches('{"a":{"b":1}}')).toBe(false);
    expect(present.matches('{"a":[]}')).toBe(false);
    expect(compileEventPattern('{"a":[{"exists":false}]}').matches('{"a":{"b":1}}')).toBe(true);
  });

  it('exists:false looks only inside the array element the fields before it (in key order) came from', () => {
    const rule = compileEventPattern('{"lines":{"sku":["A"],"voucher":[{"exists":false}]}}');
    expect(rule.matches('{"lines":[{"sku":"A"},{"sku":"B","voucher":"X"}]}')).toBe(true);
    expect(rule.matches('{"lines":[{"sku":"A","voucher":"X"}]}')).toBe(false);
    // "promo" sorts before "sku": its absence is checked before any element is chosen, so any promo counts.
    const earlier = compileEventPattern('{"lines":{"sku":["A"],"promo":[{"exists":false}]}}');
    expect(earlier.matches('{"lines":[{"sku":"A"},{"sku":"B","promo":"X"}]}')).toBe(false);
  });

  it('rejects non-boolean operands', () => {
    rejects('{"a":[{"exists":"true"}]}', 'exists match pattern must be either true or false.');
  });
});

describe('IP addresses', () => {
  it('cidr covers the block, for IPv4 and IPv6', () => {
    const v4 = compileEventPattern('{"ip":[{"cidr":"10.0.0.0/24"}]}');
    expect(v4.matches('{"ip":"10.0.0.0"}')).toBe(true);
    expect(v4.matches('{"ip":"10.0.0.255"}')).toBe(true);
    expect(v4.matches('{"ip":"10.0.1.0"}')).toBe(false);
    const v6 = compileEventPattern('{"ip":[{"cidr":"2001:db8::/32"}]}');
    expect(v6.matches('{"ip":"2001:0DB8:ffff::1"}')).toBe(true);
    expect(v6.matches('{"ip":"2001:db9::1"}')).toBe(false);
  });

  it('a plain IP string matches the address in any spelling', () => {
    expect(compileEventPattern('{"ip":["2001:db8::1"]}').matches('{"ip":"2001:0db8:0:0:0:0:0:1"}')).toBe(true);
  });
});

describe('duplicate keys, as event-ruler reads them', () => {
  it('in a pattern, a repeated leaf replaces the earlier one and repeated objects merge', () => {
    const leaf = compileEventPattern('{"a":["1"],"a":["2"]}');
    expect(leaf.matches('{"a":"2"}')).toBe(true);
    expect(leaf.matches('{"a":"1"}')).toBe(false);
    const merged = compileEventPattern('{"a":{"b":["1"]},"a":{"c":["2"]}}');
    expect(merged.matches('{"a":{"b":"1","c":"2"}}')).toBe(true);
    expect(merged.matches('{"a":{"b":"1"}}')).toBe(false);
  });

  it('in an event, every occurrence is a value of the field', () => {
    expect(compileEventPattern('{"a":["1"]}').matches('{"a":"2","a":"1"}')).toBe(true);
  });
});

describe('field paths are dot-joined, as in event-ruler', () => {
  it('a dotted key in the pattern reaches a nested field', () => {
    expect(compileEventPattern('{"detail":{"a.b":["x"]}}').matches('{"detail":{"a":{"b":"x"}}}')).toBe(true);
  });
});

describe('validation', () => {
  it('rejects pattern shapes AWS rejects', () => {
    rejects('{}', 'Empty objects are not allowed');
    rejects('{"a":[["x"]]}', 'Match value must be String, number, true, false, or null');
    rejects('{"a":[{"prefix":"x","suffix":"y"}]}', 'Only one key allowed in match expression');
    rejects('{"a":[{"contains":"x"}]}', 'Unrecognized match type contains');
    rejects('{"a":[{"anything-but":["x",1]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported');
    rejects('{"a":[{"anything-but":{"contains":"x"}}]}', 'Unsupported anything-but pattern: contains');
    rejects('{"a":[{"cidr":"10.0.0.0"}]}', "Malformed CIDR, one '/' required");
    rejects('{"a":[{"cidr":"10.0.0.0/33"}]}', 'IPv4 mask bits must be < 32');
    rejects('{"a":[{"cidr":"10.0.0.999/8"}]}', 'Invalid IP address: 10.0.0.999');
  });

  it('TestEventPattern rejects events without the envelope, before matching', () => {
    expect(() => validateEvent('{"detail":{}}')).toThrow(InvalidEventError);
    expect(() => validateEvent('not json')).toThrow(InvalidEventError);
    expect(() => testEventPattern('{"source":["order-pipeline"]}', '{"source":"order-pipeline"}')).toThrow(InvalidEventError);
    expect(testEventPattern('{"source":["order-pipeline"]}', JSON.stringify(orderPlaced))).toBe(true);
  });

  it('matching needs a JSON object', () => {
    const rule = compileEventPattern('{"a":["1"]}');
    expect(() => rule.matches('["a"]')).toThrow(InvalidEventError);
    expect(() => rule.matchesEvent(undefined)).toThrow(InvalidEventError);
  });
});
