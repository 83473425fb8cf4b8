/** The policy schema: the demo is valid; inconsistent documents are refused with precise paths. */
import { describe, it, expect } from 'vitest';
import { DEMO_ROUTING_POLICY, DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/demo-routing-policy.ts';
import { routingPolicySchema } from '../../functions/domain/routing-policy.ts';
import type { RoutingPolicyDocument } from '../../functions/domain/routing-policy.ts';
import { demoDocument } from './support.ts';

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
