/** The policy schema: the demo is valid; inconsistent documents are refused with precise paths. */
import { describe, it, expect } from 'vitest';
import { DEMO_ROUTING_POLICY, DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { routingPolicySchema } from '../../functions/domain/routing/routing-policy.ts';
import type { RoutingPolicyDocument } from '../../functions/domain/routing/routing-policy.ts';
import { planRouting } from '../../functions/domain/routing/route-planner.ts';
import { demoDocument, order, to } from './support.ts';

/** Documents are edited as plain JSON here, the way an operator would send them. */
type Json = Record<string, any>;

function issues(change: (doc: Json) => void): { path: PropertyKey[]; message: string }[] {
  const doc = demoDocument() as Json;
  change(doc);
  const result = routingPolicySchema.safeParse(doc as RoutingPolicyDocument);
  expect(result.success, 'the document should be refused').toBe(false);
  return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }));
}

const rule = (event: Json, conditions: Json = { all: [{ fact: 'lineCount', operator: 'greaterThan', value: 0 }] }) => ({
  name: 'test-rule',
  conditions,
  event,
});

const priorityRule = (conditions: Json) => rule({ type: 'priority-handling' }, conditions);
const ZERO = { distance: 0, cost: 0, speed: 0, capacity: 0, tier: 0, carbon: 0 };

describe('routingPolicySchema', () => {
  it('accepts the demo policy and fills defaults', () => {
    expect(DEMO_ROUTING_POLICY.warehouses.find((w) => w.id === 'wh-shanghai')?.handlingDays).toBe(1);
    expect(DEMO_ROUTING_POLICY.carriers.find((c) => c.id === 'sf-express')?.excludedRegions).toEqual([]);
    expect(routingPolicySchema.parse({ ...DEMO_ROUTING_POLICY_DOCUMENT, version: 3 }).version).toBe(3);
  });

  it('accepts its own output (a stored policy reads back valid)', () => {
    expect(routingPolicySchema.parse(JSON.parse(JSON.stringify(DEMO_ROUTING_POLICY)))).toEqual(DEMO_ROUTING_POLICY);
  });

  const refusals: { name: string; change: (doc: Json) => void; path: PropertyKey[]; message: string | RegExp }[] = [
    {
      name: 'an unknown carrier in a rule',
      change: (doc) => doc.rules.push(rule({ type: 'require-carrier', params: { carrier: 'pigeon-post' } })),
      path: ['rules', 6, 'event', 'params', 'carrier'],
      message: 'Unknown carrier pigeon-post',
    },
    {
      name: 'a required mode the carrier does not have',
      change: (doc) => doc.rules.push(rule({ type: 'require-carrier', params: { carrier: 'zto', mode: 'air' } })),
      path: ['rules', 6, 'event', 'params', 'mode'],
      message: 'Carrier zto has no mode air',
    },
    {
      name: 'an unknown warehouse in a rule',
      change: (doc) => doc.rules.push(rule({ type: 'exclude-warehouse', params: { warehouse: 'wh-atlantis' } })),
      path: ['rules', 6, 'event', 'params', 'warehouse'],
      message: 'Unknown warehouse wh-atlantis',
    },
    {
      name: 'an unknown event type',
      change: (doc) => doc.rules.push(rule({ type: 'teleport', params: {} })),
      path: ['rules', 6, 'event', 'type'],
      message: /^Invalid discriminator value. Expected 'require-carrier' \| 'exclude-carrier'/,
    },
    {
      name: 'an unknown operator',
      change: (doc) => doc.rules.push(priorityRule({ all: [{ fact: 'lineCount', operator: 'biggerThan', value: 1 }] })),
      path: ['rules', 6, 'conditions', 'all', 0, 'operator'],
      message: /^Use one of equal, notEqual/,
    },
    {
      name: 'an unknown fact',
      change: (doc) => doc.rules.push(priorityRule({ any: [{ fact: 'customerName', operator: 'equal', value: 'x' }] })),
      path: ['rules', 6, 'conditions', 'any', 0, 'fact'],
      message: /Invalid option/,
    },
    {
      name: 'a fact condition without value',
      change: (doc) => doc.rules.push(priorityRule({ all: [{ not: { fact: 'lineCount', operator: 'equal' } }] })),
      path: ['rules', 6, 'conditions', 'all', 0, 'not', 'value'],
      message: 'A fact condition needs a value',
    },
    {
      name: 'a condition mixing forms',
      change: (doc) => doc.rules.push(priorityRule({ all: [], any: [] })),
      path: ['rules', 6, 'conditions'],
      message: 'A condition has exactly one of all, any, not, condition, fact; found all, any',
    },
    {
      name: 'a fact condition at the top of a rule',
      change: (doc) => doc.rules.push(priorityRule({ fact: 'lineCount', operator: 'equal', value: 1 })),
      path: ['rules', 6, 'conditions'],
      message: 'Top-level conditions must be all, any, not or condition',
    },
    {
      name: 'an unknown named condition',
      change: (doc) => doc.rules.push(priorityRule({ condition: 'nope' })),
      path: ['rules', 6, 'conditions', 'condition'],
      message: 'Unknown named condition nope',
    },
    {
      name: 'a duplicate rule name',
      change: (doc) => doc.rules.push({ ...doc.rules[0] }),
      path: ['rules', 6, 'name'],
      message: 'Duplicate rule name hainan-vip-liquids-coldlink',
    },
    {
      name: 'a duplicate warehouse',
      change: (doc) => doc.warehouses.push({ ...doc.warehouses[1] }),
      path: ['warehouses', 4, 'id'],
      message: 'Duplicate warehouse wh-guangzhou',
    },
    {
      name: 'a negative weight',
      change: (doc) => (doc.weights.factors.cost = -1),
      path: ['weights', 'factors', 'cost'],
      message: /expected number to be >=0/,
    },
    {
      name: 'all weights zero',
      change: (doc) => (doc.weights.factors = ZERO),
      path: ['weights', 'factors'],
      message: 'At least one factor weight must be above zero',
    },
    {
      name: 'preference multipliers that zero every weight',
      change: (doc) => (doc.weights.preferenceMultipliers.fastest = ZERO),
      path: ['weights', 'preferenceMultipliers', 'fastest'],
      message: 'The fastest multipliers leave every weight at zero',
    },
    {
      name: 'an unknown field (strict objects)',
      change: (doc) => (doc.warehouses[0].capacityUsedToday = 10),
      path: ['warehouses', 0],
      message: /Unrecognized key: "capacityUsedToday"/,
    },
    {
      name: 'an unknown transport mode',
      change: (doc) => (doc.carriers[1].modes.boat = { ...doc.carriers[1].modes.ground }),
      path: ['carriers', 1, 'modes'],
      message: 'Unrecognized key: "boat"',
    },
    {
      name: 'a service level in a mode the carrier lacks',
      change: (doc) => (doc.carriers[1].serviceLevels[0].mode = 'air'),
      path: ['carriers', 1, 'serviceLevels', 0, 'mode'],
      message: 'Carrier zto declares no mode air',
    },
    {
      name: 'a rate card zone without transit days',
      change: (doc) => delete doc.carriers[1].serviceLevels[0].transitDays.remote,
      path: ['carriers', 1, 'serviceLevels', 0, 'rateCard', 'remote'],
      message: 'Rate for zone remote, which has no transit days',
    },
    {
      name: 'transit days for an unknown zone',
      change: (doc) => {
        doc.carriers[1].serviceLevels[0].transitDays.moon = 30;
        doc.carriers[1].serviceLevels[0].rateCard.moon = { baseMinor: 1, perKgMinor: 1 };
      },
      path: ['carriers', 1, 'serviceLevels', 0, 'transitDays', 'moon'],
      message: 'Unknown zone moon',
    },
    {
      name: 'cold-chain goods accepted by a ground mode',
      change: (doc) => (doc.carriers[1].modes.ground.accepts.coldChain = true),
      path: ['carriers', 1, 'modes', 'ground', 'accepts', 'coldChain'],
      message: 'Only the cold-chain mode carries cold-chain goods',
    },
    {
      name: 'zones out of order',
      change: (doc) => (doc.zones[1].maxKm = 200),
      path: ['zones', 1, 'maxKm'],
      message: 'Zones go from near to far: maxKm must exceed 300',
    },
    {
      name: 'a bounded last zone',
      change: (doc) => (doc.zones[3].maxKm = 9000),
      path: ['zones', 3, 'maxKm'],
      message: 'The last zone has no maxKm: it covers every longer distance',
    },
    {
      name: 'an unknown carrier in supplier constraints',
      change: (doc) => (doc.warehouses[2].supplier.excludedCarriers = ['ups']),
      path: ['warehouses', 2, 'supplier', 'excludedCarriers', 0],
      message: 'Unknown carrier ups',
    },
    {
      name: 'a duplicate destination',
      change: (doc) => doc.destinations.push({ country: 'CN', region: 'hainan', location: { lat: 20, lon: 110 } }),
      path: ['destinations', 25],
      message: 'Duplicate destination cn/hainan/',
    },
    {
      name: 'a version that is not a positive integer',
      change: (doc) => (doc.version = 0),
      path: ['version'],
      message: /expected number to be >0/,
    },
  ];

  it.each(refusals)('refuses $name at its path', ({ change, path, message }) => {
    const found = issues(change);
    expect(found).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  });
});

/**
 * Rule conditions whose value does not fit the fact and operator: json-rules-engine would
 * throw at routing time (the order ends FAILED), match substrings, or never / always hold.
 * Each is refused at the path of the faulty part.
 */
describe('routingPolicySchema on rule condition values', () => {
  const at = (...path: PropertyKey[]) => ['rules', 6, 'conditions', 'all', 0, ...path];
  const leaf = (fact: string, operator: string, value: unknown) => ({ all: [{ fact, operator, value }] });
  const ALLOWED = /Use one of equal, notEqual, in, notIn, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive/;

  const refused: { name: string; conditions: Json; path: PropertyKey[]; message: string | RegExp }[] = [
    // in / notIn (engine: b.indexOf(a); a number throws TypeError, a string matches substrings)
    {
      name: 'in with a number (engine throws TypeError)',
      conditions: leaf('itemCount', 'in', 5),
      path: at('value'),
      message: 'in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'in with a string (engine matches substrings)',
      conditions: leaf('shipToRegion', 'in', 'Hainan, Guangdong'),
      path: at('value'),
      message: 'in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'notIn with null',
      conditions: leaf('shipToRegion', 'notIn', null),
      path: at('value'),
      message: 'notIn needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'not:in with a number (decorated form)',
      conditions: leaf('shipToRegion', 'not:in', 5),
      path: at('value'),
      message: 'not:in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'in with an object',
      conditions: leaf('shipToCity', 'in', { Haikou: true }),
      path: at('value'),
      message: 'in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'in with another fact (facts are single values: substring match)',
      conditions: leaf('shipToRegion', 'in', { fact: 'shipToCity' }),
      path: at('value'),
      message: 'in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    },
    {
      name: 'in with an empty list (never holds; notIn always would)',
      conditions: leaf('shipToRegion', 'in', []),
      path: at('value'),
      message: 'An empty list: in never holds, notIn always holds',
    },
    {
      name: 'in with a string among numbers',
      conditions: leaf('itemCount', 'in', [1, '2']),
      path: at('value', 1),
      message: 'Expected a number: itemCount is a number',
    },
    {
      name: 'in with a number among region names',
      conditions: leaf('shipToRegion', 'in', ['Hainan', 46]),
      path: at('value', 1),
      message: 'Expected a string: shipToRegion is text',
    },
    {
      name: 'swap:in (the fact would have to be a list)',
      conditions: leaf('shipToRegion', 'swap:in', 'Hai'),
      path: at('operator'),
      message: 'swap:in needs a list on its right-hand side, and every routing fact is a single value',
    },
    // numeric comparisons (engine: numberValidator(fact) && fact < value, with JS coercion)
    {
      name: 'lessThan with a string (coerced: "10" works, "ten" never holds)',
      conditions: leaf('itemCount', 'lessThan', '10'),
      path: at('value'),
      message: 'Expected a number: lessThan compares numbers',
    },
    {
      name: 'greaterThan with null (coerced to 0)',
      conditions: leaf('totalWeightKg', 'greaterThan', null),
      path: at('value'),
      message: 'Expected a number: greaterThan compares numbers',
    },
    {
      name: 'greaterThanInclusive with a one-element array (coerced to its element)',
      conditions: leaf('itemCount', 'greaterThanInclusive', [3]),
      path: at('value'),
      message: 'Expected a number: greaterThanInclusive compares numbers',
    },
    {
      name: 'lessThan on a text fact (never holds)',
      conditions: leaf('shipToCity', 'lessThan', 5),
      path: at('operator'),
      message: 'lessThan compares numbers and shipToCity is text',
    },
    {
      name: 'not:lessThanInclusive on a text fact (always holds)',
      conditions: leaf('customerTier', 'not:lessThanInclusive', 5),
      path: at('operator'),
      message: 'not:lessThanInclusive compares numbers and customerTier is text',
    },
    {
      name: 'lessThan against a text fact',
      conditions: leaf('itemCount', 'lessThan', { fact: 'shipToCity' }),
      path: at('value', 'fact'),
      message: 'lessThan compares numbers and shipToCity is text',
    },
    // equal / notEqual (engine: ===, so a value of the wrong type never equals)
    {
      name: 'equal with a string on a number fact (=== never holds)',
      conditions: leaf('itemCount', 'equal', '3'),
      path: at('value'),
      message: 'Expected a number: itemCount is a number',
    },
    {
      name: 'notEqual with a number on a text fact (always holds)',
      conditions: leaf('shipToCity', 'notEqual', 571),
      path: at('value'),
      message: 'Expected a string: shipToCity is text',
    },
    {
      name: 'equal with a tier that does not exist',
      conditions: leaf('customerTier', 'equal', 'gold'),
      path: at('value'),
      message: 'Use one of standard, plus, vip',
    },
    {
      name: 'in with a delivery preference that does not exist',
      conditions: leaf('deliveryPreference', 'in', ['fastest', 'quickest']),
      path: at('value', 1),
      message: 'Use one of fastest, cheapest, greenest, null',
    },
    {
      name: 'equal between a number fact and a text fact',
      conditions: leaf('itemCount', 'equal', { fact: 'shipToRegion' }),
      path: at('value', 'fact'),
      message: 'Cannot compare itemCount (a number) with shipToRegion (text)',
    },
    // someValue / everyValue (engine: value.some / value.every, a non-array throws TypeError)
    {
      name: 'someValue:equal with a string (engine throws TypeError)',
      conditions: leaf('shipToRegion', 'someValue:equal', 'Hainan'),
      path: at('value'),
      message: 'someValue:equal needs an array of values',
    },
    {
      name: 'everyValue:lessThan with a string inside',
      conditions: leaf('itemCount', 'everyValue:lessThan', [10, 'x']),
      path: at('value', 1),
      message: 'Expected a number: lessThan compares numbers',
    },
    // list-only operators and decorators (fix 2): every routing fact is a single value
    ...['contains', 'doesNotContain', 'not:contains', 'someFact:equal', 'everyFact:in'].map((operator) => ({
      name: `${operator} (needs a list fact)`,
      conditions: leaf('shipToRegion', operator, 'Hainan'),
      path: at('operator'),
      message: new RegExp(`^${operator} needs a list fact and every routing fact is a single value\\. ${ALLOWED.source}`),
    })),
    // empty condition lists (fix 3): json-rules-engine lets both hold for every order
    {
      name: 'an empty all at the top',
      conditions: { all: [] },
      path: ['rules', 6, 'conditions', 'all'],
      message: 'List at least one condition: an empty list holds for every order',
    },
    {
      name: 'an empty any at the top',
      conditions: { any: [] },
      path: ['rules', 6, 'conditions', 'any'],
      message: 'List at least one condition: an empty list holds for every order',
    },
    {
      name: 'an empty any nested under not',
      conditions: { not: { all: [{ fact: 'lineCount', operator: 'equal', value: 1 }, { any: [] }] } },
      path: ['rules', 6, 'conditions', 'not', 'all', 1, 'any'],
      message: 'List at least one condition: an empty list holds for every order',
    },
  ];

  it.each(refused)('refuses $name', ({ conditions, path, message }) => {
    const found = issues((doc) => doc.rules.push(priorityRule(conditions)));
    expect(found).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  });

  it('checks named conditions the same way', () => {
    const found = issues((doc) => {
      doc.namedConditions.south = { any: [{ fact: 'shipToRegion', operator: 'in', value: 'Guangdong' }] };
    });
    expect(found).toContainEqual({
      path: ['namedConditions', 'south', 'any', 0, 'value'],
      message: 'in needs an array of values, e.g. ["Liaoning", "Heilongjiang"]',
    });
    expect(issues((doc) => (doc.namedConditions.none = { all: [] })).map((i) => i.path)).toContainEqual([
      'namedConditions',
      'none',
      'all',
    ]);
  });

  const accepted: { name: string; condition: Json }[] = [
    { name: 'in with region names', condition: { fact: 'shipToRegion', operator: 'in', value: ['Liaoning', 'Heilongjiang'] } },
    { name: 'not:in with numbers', condition: { fact: 'lineCount', operator: 'not:in', value: [1, 2] } },
    { name: 'notIn with tiers', condition: { fact: 'customerTier', operator: 'notIn', value: ['standard'] } },
    { name: 'in with null for no preference', condition: { fact: 'deliveryPreference', operator: 'in', value: [null, 'fastest'] } },
    { name: 'equal null for no preference', condition: { fact: 'deliveryPreference', operator: 'equal', value: null } },
    { name: 'a fractional weight', condition: { fact: 'totalWeightKg', operator: 'greaterThan', value: 30.5 } },
    { name: 'two number facts', condition: { fact: 'liquidItemCount', operator: 'equal', value: { fact: 'itemCount' } } },
    { name: 'two text facts', condition: { fact: 'shipToCity', operator: 'notEqual', value: { fact: 'shipToRegion' } } },
    { name: 'not:lessThan', condition: { fact: 'itemCount', operator: 'not:lessThan', value: 3 } },
    { name: 'swap:lessThan', condition: { fact: 'itemCount', operator: 'swap:lessThan', value: 3 } },
    { name: 'swap:equal', condition: { fact: 'shipToCity', operator: 'swap:equal', value: 'Haikou' } },
    { name: 'someValue:equal', condition: { fact: 'shipToCity', operator: 'someValue:equal', value: ['Haikou', 'Sanya'] } },
    { name: 'everyValue:lessThan', condition: { fact: 'itemCount', operator: 'everyValue:lessThan', value: [10, 20] } },
    { name: 'not:someValue:in', condition: { fact: 'lineCount', operator: 'not:someValue:in', value: [[1], [2, 3]] } },
  ];

  it.each(accepted)('accepts $name, and routing with it does not throw', async ({ condition }) => {
    const doc = demoDocument() as Json;
    doc.rules.push(priorityRule({ all: [condition] }));
    const result = routingPolicySchema.safeParse(doc as RoutingPolicyDocument);
    expect(result.error?.issues ?? []).toEqual([]);
    if (!result.success) return;
    for (const shipTo of [to('Hainan', 'Haikou'), to('Liaoning', 'Shenyang')]) {
      await expect(planRouting(order({ shipTo }), result.data)).resolves.toHaveProperty('plan');
    }
  });
});

describe('routingPolicySchema timeZone', () => {
  it('defaults to UTC', () => {
    const { timeZone: _, ...withoutTimeZone } = DEMO_ROUTING_POLICY_DOCUMENT;
    expect(routingPolicySchema.parse(withoutTimeZone).timeZone).toBe('UTC');
  });

  it.each(['Asia/Shanghai', 'Europe/Berlin', 'America/Los_Angeles', 'UTC'])('accepts %s', (timeZone) => {
    expect(routingPolicySchema.parse({ ...DEMO_ROUTING_POLICY_DOCUMENT, timeZone }).timeZone).toBe(timeZone);
  });

  it.each(['Mars/Olympus_Mons', 'China', '', 'Asia/Shanghai '])('refuses %j at timeZone', (timeZone) => {
    expect(issues((doc) => (doc.timeZone = timeZone))).toContainEqual({
      path: ['timeZone'],
      message: 'Use an IANA time zone name, e.g. Asia/Shanghai or UTC',
    });
  });
});
