/**
 * One scenario per scoring factor, hard constraint and rule type, each
 * asserting what was chosen and how the decision explains it.
 */
import { describe, it, expect } from 'vitest';
import { NoRoute } from '../../functions/domain/errors.ts';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import { localDate } from '../../functions/domain/routing/dates.ts';
import { NoRouteWithExplanation, type PlannerDecision, type RoutingInput } from '../../functions/domain/routing/decision.ts';
import { planRouting } from '../../functions/domain/routing/route-planner.ts';
import type { RoutingPolicy } from '../../functions/domain/routing/routing-policy.ts';
import { chosen, excluded, leadsOn, order, policyWith, scored, stockAt, to } from './support.ts';

const ONLY = (factor: string) =>
  policyWith((doc) => {
    doc.weights.factors = { distance: 0, cost: 0, speed: 0, capacity: 0, tier: 0, carbon: 0, [factor]: 1 };
  });

interface Scenario {
  name: string;
  policy?: RoutingPolicy;
  input: RoutingInput;
  /** The chosen candidate id (parcels `warehouse/carrier/service` joined with `+`). */
  chosen: string;
  /** How the decision must explain the choice. */
  explains: (decision: PlannerDecision) => void;
}

const scenarios: Scenario[] = [
  {
    name: 'distance: the nearest warehouse wins when distance is what the weights favour',
    policy: ONLY('distance'),
    input: order({ shipTo: to('Beijing') }),
    chosen: 'wh-beijing/zto/economy',
    explains: (d) => {
      expect(chosen(d).breakdown?.distance).toBe(100);
      const others = scored(d).filter((c) => !c.warehouseIds.includes('wh-beijing'));
      expect(others.length).toBeGreaterThan(0);
      for (const c of others) {
        expect(c.breakdown?.distance).toBeLessThan(100);
        expect(c.metrics?.distanceKm).toBeGreaterThan(chosen(d).metrics?.distanceKm ?? 0);
      }
    },
  },
  {
    name: 'cost: the cheapest carrier wins under "cheapest"',
    input: order({ deliveryPreference: 'cheapest' }),
    chosen: 'wh-shanghai/zto/economy',
    explains: (d) => {
      leadsOn(d, 'cost');
      expect(chosen(d).metrics?.costMinor).toBe(Math.min(...scored(d).map((c) => c.metrics?.costMinor ?? Infinity)));
      expect(d.plan.totalCostMinor).toBe(650);
    },
  },
  {
    name: 'speed: air wins under "fastest" over a national distance',
    input: order({
      deliveryPreference: 'fastest',
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: stockAt(['A'], { 'wh-beijing': 5 }),
    }),
    chosen: 'wh-beijing/sf-express/air-express',
    explains: (d) => {
      leadsOn(d, 'speed');
      expect(chosen(d).metrics?.deliveryDays).toBe(2);
      expect(d.plan.promisedDate).toBe('2025-06-03');
      expect(d.plan.parcels[0]).toMatchObject({ mode: 'air', transitDays: 1 });
    },
  },
  {
    name: 'carbon: rail wins under "greenest"',
    input: order({ deliveryPreference: 'greenest' }),
    chosen: 'wh-shanghai/green-rail/rail',
    explains: (d) => {
      leadsOn(d, 'carbon');
      expect(d.plan.totalCarbonGrams).toBe(Math.min(...scored(d).map((c) => c.metrics?.carbonGrams ?? Infinity)));
    },
  },
  {
    name: 'without a preference the same order goes by the cheap carrier (contrast for the three above)',
    input: order(),
    chosen: 'wh-shanghai/zto/economy',
    explains: (d) => expect(d.plan.parcels[0]?.serviceLevel).toBe('economy'),
  },
  {
    name: 'capacity: the warehouse with more capacity left wins when capacity is what the weights favour',
    policy: ONLY('capacity'),
    input: order({
      stock: stockAt(['A'], { 'wh-shanghai': 9, 'wh-beijing': 9 }),
      capacityUsedToday: { 'wh-shanghai': 4000 },
    }),
    chosen: 'wh-beijing/zto/economy',
    explains: (d) => {
      const shanghai = scored(d).filter((c) => c.warehouseIds[0] === 'wh-shanghai');
      for (const c of shanghai) expect(c.breakdown?.capacity).toBeLessThan(chosen(d).breakdown?.capacity ?? 0);
      expect(shanghai[0]?.metrics?.capacityLeft).toBeCloseTo(0.1998, 4);
    },
  },
  {
    name: 'capacity exhausted: a warehouse at its daily capacity is excluded',
    input: order({ shipTo: to('Shanghai'), capacityUsedToday: { 'wh-shanghai': 5000 } }),
    chosen: 'wh-beijing/green-rail/rail',
    explains: (d) => {
      expect(excluded(d, 'capacity')).toEqual([
        expect.objectContaining({
          id: 'wh-shanghai',
          excluded: { reason: 'capacity', detail: 'wh-shanghai has dispatched 5000 of 5000 parcels today' },
        }),
      ]);
    },
  },
  {
    name: 'tier: a vip (target 2 days) gets the 2-day service a standard customer does not',
    input: order({ customerTier: 'vip' }),
    chosen: 'wh-shanghai/sf-express/standard',
    explains: (d) => {
      const zto = scored(d).find((c) => c.id === 'wh-shanghai/zto/economy');
      expect(chosen(d).breakdown?.tier).toBeGreaterThan(zto?.breakdown?.tier ?? Infinity);
      expect(zto?.metrics?.deliveryDays).toBe(3);
      expect(chosen(d).metrics?.deliveryDays).toBe(2);
    },
  },
  {
    name: 'tier policy: priority handling skips the handling day, so the cheap 2-day service meets the vip target',
    policy: policyWith((doc) => {
      doc.tierPolicy = { vip: { priorityHandling: true, targetDeliveryDays: 2 } };
    }),
    input: order({ customerTier: 'vip' }),
    chosen: 'wh-shanghai/zto/economy',
    explains: (d) => {
      expect(d.plan.priorityHandling).toBe(true);
      expect(d.rulesFired).toEqual([]);
      expect(chosen(d).breakdown?.tier).toBe(Math.max(...scored(d).map((c) => c.breakdown?.tier ?? 0)));
      expect(d.plan.promisedDate).toBe('2025-06-03'); // 0 handling + 2 regional transit days
    },
  },
  {
    name: 'liquids never go by air, even under "fastest"',
    input: order({
      lines: [{ sku: 'L', quantity: 1, attributes: { liquid: true } }],
      deliveryPreference: 'fastest',
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: stockAt(['L'], { 'wh-beijing': 5 }),
    }),
    chosen: 'wh-beijing/coldlink/chilled',
    explains: (d) => {
      expect(d.plan.parcels.every((p) => p.mode !== 'air')).toBe(true);
      expect(excluded(d).find((c) => c.mode === 'air')?.excluded).toEqual({
        reason: 'product',
        detail: 'sf-express/air-express (air) does not carry liquid goods: L',
      });
      expect(scored(d).some((c) => c.mode === 'air')).toBe(false);
    },
  },
  {
    name: 'fragile goods never go by air either',
    input: order({
      lines: [{ sku: 'F', quantity: 1, attributes: { fragile: true } }],
      deliveryPreference: 'fastest',
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: stockAt(['F'], { 'wh-beijing': 5 }),
    }),
    chosen: 'wh-beijing/coldlink/chilled',
    explains: (d) => expect(excluded(d, 'product').map((c) => c.id)).toEqual(['wh-beijing/sf-express/air-express']),
  },
  {
    name: 'cold chain: only from the cold-chain warehouse, only by a cold-chain carrier',
    input: order({
      lines: [{ sku: 'C', quantity: 1, attributes: { coldChain: true } }],
      shipTo: to('Guangdong', 'Guangzhou'),
    }),
    chosen: 'wh-shanghai/coldlink/chilled',
    explains: (d) => {
      expect(excluded(d, 'cold-chain').map((c) => c.id)).toEqual(['wh-guangzhou', 'wh-beijing', 'wh-chengdu']);
      expect(excluded(d, 'cold-chain')[0]?.excluded?.detail).toBe('wh-guangzhou has no cold chain for C');
      expect(excluded(d, 'product').map((c) => c.carrier)).toEqual(['sf-express', 'sf-express', 'zto', 'green-rail']);
      expect(scored(d)).toHaveLength(1);
    },
  },
  {
    name: 'hazmat: only the hazmat warehouse, only a carrier that accepts dangerous goods',
    input: order({ lines: [{ sku: 'H', quantity: 1, attributes: { hazmat: true } }], shipTo: to('Shanghai') }),
    chosen: 'wh-chengdu/green-rail/rail',
    explains: (d) => {
      expect(excluded(d, 'hazmat').map((c) => c.id)).toEqual(['wh-shanghai', 'wh-guangzhou', 'wh-beijing']);
      expect(excluded(d, 'product').every((c) => c.excluded?.detail.includes('hazmat'))).toBe(true);
      expect(d.plan.promisedDate).toBe('2025-06-07'); // 2 handling days at Chengdu + 4 national transit
    },
  },
  {
    name: 'carrier region restriction: no rail to Hainan, so "greenest" takes the next greenest',
    input: order({ deliveryPreference: 'greenest', shipTo: to('Hainan', 'Haikou') }),
    chosen: 'wh-guangzhou/zto/economy',
    explains: (d) => {
      const rail = excluded(d, 'region');
      expect(rail.map((c) => c.carrier)).toEqual(['green-rail', 'green-rail', 'green-rail', 'green-rail']);
      expect(rail[0]?.excluded?.detail).toBe('green-rail does not serve Hainan');
    },
  },
  {
    name: 'region names match case-insensitively, in carrier exclusions as in rules',
    input: order({ deliveryPreference: 'greenest', shipTo: { country: 'cn', region: 'hainan ', city: 'HAIKOU' } }),
    chosen: 'wh-guangzhou/zto/economy',
    explains: (d) => expect(excluded(d, 'region')).toHaveLength(4),
  },
  {
    name: 'supplier constraint: the dairy supplier at Beijing does not ship to Tibet; ZTO does not serve it',
    input: order({ shipTo: to('Tibet', 'Lhasa'), stock: stockAt(['A'], { 'wh-beijing': 5, 'wh-chengdu': 5 }) }),
    chosen: 'wh-chengdu/green-rail/rail',
    explains: (d) => {
      expect(excluded(d, 'supplier')).toEqual([
        expect.objectContaining({
          id: 'wh-beijing',
          excluded: { reason: 'supplier', detail: 'Supplier north-dairy at wh-beijing does not allow shipping to Tibet' },
        }),
      ]);
      expect(excluded(d, 'region').map((c) => c.id)).toContain('wh-chengdu/zto/economy');
    },
  },
  {
    name: 'zone: the cold-chain carrier does not run to remote zones',
    input: order({ shipTo: to('Xinjiang', 'Urumqi'), stock: stockAt(['A'], { 'wh-shanghai': 5 }) }),
    chosen: 'wh-shanghai/green-rail/rail',
    explains: (d) => {
      expect(excluded(d, 'zone')).toEqual([
        expect.objectContaining({
          id: 'wh-shanghai/coldlink/chilled',
          excluded: { reason: 'zone', detail: expect.stringMatching(/^coldlink\/chilled does not serve zone remote \(\d+ km\)$/) },
        }),
      ]);
    },
  },
  {
    name: 'split: no warehouse holds all 60 units, so two parcels with the split penalty',
    input: order({
      lines: [{ sku: 'A', quantity: 60 }],
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: stockAt(['A'], { 'wh-shanghai': 50, 'wh-guangzhou': 50, 'wh-beijing': 50, 'wh-chengdu': 50 }),
    }),
    chosen: 'wh-guangzhou/zto/economy+wh-shanghai/green-rail/rail',
    explains: (d) => {
      expect(d.plan.parcels.map((p) => [p.warehouseId, p.lines])).toEqual([
        ['wh-guangzhou', [{ sku: 'A', quantity: 50 }]],
        ['wh-shanghai', [{ sku: 'A', quantity: 10 }]],
      ]);
      expect(chosen(d).breakdown?.splitPenalty).toBe(-10);
      expect(chosen(d).carrier).toBeUndefined();
      expect(excluded(d, 'stock')).toHaveLength(4);
      expect(excluded(d, 'stock')[0]?.excluded?.detail).toBe('wh-shanghai: A 50 free of 60');
      expect(d.plan.totalCostMinor).toBe(d.plan.parcels.reduce((sum, p) => sum + p.costMinor, 0));
    },
  },
  {
    name: 'split: two SKUs only stocked apart ship as two parcels',
    input: order({
      lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }],
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: { A: { 'wh-beijing': 1 }, B: { 'wh-shanghai': 3 } },
    }),
    chosen: 'wh-shanghai/green-rail/rail+wh-beijing/green-rail/rail',
    explains: (d) => {
      expect(d.plan.parcels.map((p) => p.lines)).toEqual([[{ sku: 'B', quantity: 2 }], [{ sku: 'A', quantity: 1 }]]);
      expect(chosen(d)).toMatchObject({ carrier: 'green-rail', mode: 'ground', breakdown: { splitPenalty: -10 } });
    },
  },
  {
    name: 'rule: 3+ liquid items to Hainan for a vip go by ColdLink with priority handling',
    input: order({
      lines: [{ sku: 'L', quantity: 3, attributes: { liquid: true } }],
      customerTier: 'vip',
      shipTo: to('Hainan', 'Haikou'),
    }),
    chosen: 'wh-guangzhou/coldlink/chilled',
    explains: (d) => {
      expect(d.rulesFired).toEqual(['hainan-vip-liquids-coldlink', 'hainan-vip-liquids-priority']);
      expect(d.plan.priorityHandling).toBe(true);
      expect(d.plan.parcels[0]).toMatchObject({ carrier: 'coldlink', mode: 'cold-chain' });
      expect(d.plan.promisedDate).toBe('2025-06-03'); // no handling day, 2 regional transit days
      const ruled = excluded(d, 'rule');
      expect(ruled.length).toBeGreaterThan(0);
      const because = 'Rule "hainan-vip-liquids-coldlink" requires coldlink by cold-chain';
      expect(ruled.every((c) => c.carrier !== 'coldlink' && c.excluded?.detail === because)).toBe(true);
    },
  },
  {
    name: 'rule: the Hainan rule does not fire for 2 liquid items',
    input: order({
      lines: [{ sku: 'L', quantity: 2, attributes: { liquid: true } }],
      customerTier: 'vip',
      shipTo: to('Hainan', 'Haikou'),
    }),
    chosen: 'wh-guangzhou/zto/economy',
    explains: (d) => {
      expect(d.rulesFired).toEqual([]);
      expect(d.plan.priorityHandling).toBe(false);
      expect(excluded(d, 'rule')).toEqual([]);
    },
  },
  {
    name: 'rule require-mode: over 30 kg goes by ground only',
    input: order({
      lines: [{ sku: 'A', quantity: 4, attributes: { weightGrams: 8000 } }],
      deliveryPreference: 'fastest',
      shipTo: to('Guangdong', 'Guangzhou'),
      stock: stockAt(['A'], { 'wh-beijing': 5 }),
    }),
    chosen: 'wh-beijing/green-rail/rail',
    explains: (d) => {
      expect(d.rulesFired).toEqual(['heavy-orders-by-ground']);
      expect(excluded(d, 'rule').map((c) => c.mode)).toEqual(['air', 'cold-chain']);
      expect(excluded(d, 'rule')[0]?.excluded?.detail).toBe('Rule "heavy-orders-by-ground" requires mode ground');
    },
  },
  {
    name: 'rule exclude-carrier: fragile goods skip ZTO even under "cheapest"',
    input: order({ lines: [{ sku: 'F', quantity: 1, attributes: { fragile: true } }], deliveryPreference: 'cheapest' }),
    chosen: 'wh-shanghai/green-rail/rail',
    explains: (d) => {
      expect(d.rulesFired).toEqual(['fragile-not-by-zto']);
      expect(excluded(d, 'rule').map((c) => c.id)).toEqual([
        'wh-shanghai/zto/economy',
        'wh-guangzhou/zto/economy',
        'wh-beijing/zto/economy',
        'wh-chengdu/zto/economy',
      ]);
    },
  },
  {
    name: 'rule exclude-warehouse: 100+ items never go from Guangzhou',
    input: order({ lines: [{ sku: 'A', quantity: 100 }], shipTo: to('Guangdong', 'Guangzhou') }),
    chosen: 'wh-shanghai/green-rail/rail',
    explains: (d) => {
      expect(d.rulesFired).toEqual(['heavy-orders-by-ground', 'guangzhou-not-for-bulk']);
      expect(excluded(d, 'rule').filter((c) => c.carrier === undefined)).toEqual([
        {
          id: 'wh-guangzhou',
          warehouseIds: ['wh-guangzhou'],
          excluded: { reason: 'rule', detail: 'Rule "guangzhou-not-for-bulk" excludes wh-guangzhou' },
        },
      ]);
    },
  },
  {
    name: 'rule prefer-warehouse: the north-east goes from Beijing even when Beijing is nearly full',
    input: order({
      shipTo: to('Heilongjiang', 'Harbin'),
      stock: stockAt(['A'], { 'wh-shanghai': 5, 'wh-beijing': 5 }),
      capacityUsedToday: { 'wh-beijing': 2900 },
    }),
    chosen: 'wh-beijing/green-rail/rail',
    explains: (d) => {
      expect(d.rulesFired).toEqual(['northeast-from-beijing']);
      expect(chosen(d).breakdown?.preferredWarehouse).toBe(15);
      const shanghai = scored(d).filter((c) => c.warehouseIds[0] === 'wh-shanghai');
      expect(shanghai.every((c) => c.breakdown?.preferredWarehouse === undefined)).toBe(true);
    },
  },
  {
    name: 'without that rule Shanghai wins the same order on capacity (contrast for the one above)',
    policy: policyWith((doc) => {
      doc.rules = doc.rules?.filter((rule) => rule.name !== 'northeast-from-beijing');
    }),
    input: order({
      shipTo: to('Heilongjiang', 'Harbin'),
      stock: stockAt(['A'], { 'wh-shanghai': 5, 'wh-beijing': 5 }),
      capacityUsedToday: { 'wh-beijing': 2900 },
    }),
    chosen: 'wh-shanghai/zto/economy',
    explains: (d) => {
      const beijing = scored(d).find((c) => c.id === 'wh-beijing/zto/economy');
      expect(beijing?.breakdown?.capacity).toBeLessThan(chosen(d).breakdown?.capacity ?? 0);
      expect(beijing?.breakdown?.distance).toBeGreaterThan(chosen(d).breakdown?.distance ?? Infinity);
    },
  },
  // Split plans are searched whenever no whole-order candidate survives, not only when no
  // warehouse holds the stock: carrier constraints differ per warehouse. Each of these was
  // NO_ROUTE while one warehouse held the whole order but could not ship it.
  {
    name: 'split past a supplier: Beijing holds the order, its supplier uses no carrier; Shanghai + Chengdu ship it',
    policy: policyWith((doc) => {
      const beijing = doc.warehouses.find((w) => w.id === 'wh-beijing');
      if (beijing?.supplier) beijing.supplier.excludedCarriers = ['sf-express', 'zto', 'coldlink', 'green-rail'];
    }),
    input: order({
      lines: [{ sku: 'A', quantity: 60 }],
      shipTo: to('Beijing'),
      stock: stockAt(['A'], { 'wh-beijing': 100, 'wh-shanghai': 30, 'wh-chengdu': 30 }),
    }),
    chosen: 'wh-shanghai/green-rail/rail+wh-chengdu/green-rail/rail',
    explains: (d) => {
      expect(excluded(d, 'supplier').map((c) => [c.id, c.excluded?.detail])).toEqual([
        ['wh-beijing/sf-express/air-express', 'Supplier north-dairy at wh-beijing does not use sf-express'],
        ['wh-beijing/sf-express/standard', 'Supplier north-dairy at wh-beijing does not use sf-express'],
        ['wh-beijing/zto/economy', 'Supplier north-dairy at wh-beijing does not use zto'],
        ['wh-beijing/coldlink/chilled', 'Supplier north-dairy at wh-beijing does not use coldlink'],
        ['wh-beijing/green-rail/rail', 'Supplier north-dairy at wh-beijing does not use green-rail'],
      ]);
      // No service ships from Beijing at all, so the split search leaves it out rather than try sets with it.
      expect(scored(d).every((c) => c.warehouseIds.length === 2 && !c.warehouseIds.includes('wh-beijing'))).toBe(true);
      expect(excluded(d, 'no-carrier')).toEqual([]);
      expect(d.plan.parcels.map((p) => [p.warehouseId, p.lines])).toEqual([
        ['wh-shanghai', [{ sku: 'A', quantity: 30 }]],
        ['wh-chengdu', [{ sku: 'A', quantity: 30 }]],
      ]);
      expect(chosen(d)).toMatchObject({ warehouseIds: ['wh-shanghai', 'wh-chengdu'], breakdown: { splitPenalty: -10 } });
    },
  },
  {
    name: 'split past a zone: cold goods held whole at Beijing, beyond ColdLink\'s reach of Yunnan; Chengdu + Guangzhou ship it',
    policy: policyWith((doc) => {
      for (const w of doc.warehouses) w.capabilities.coldChain = true;
    }),
    input: order({
      lines: [{ sku: 'C', quantity: 4, attributes: { coldChain: true } }],
      shipTo: to('Yunnan', 'Kunming'),
      stock: stockAt(['C'], { 'wh-beijing': 4, 'wh-chengdu': 2, 'wh-guangzhou': 2 }),
    }),
    chosen: 'wh-chengdu/coldlink/chilled+wh-guangzhou/coldlink/chilled',
    explains: (d) => {
      const beijing = d.candidates.filter((c) => c.id.startsWith('wh-beijing/'));
      expect(beijing.map((c) => c.excluded?.reason)).toEqual(['product', 'product', 'product', 'zone', 'product']);
      expect(beijing.find((c) => c.carrier === 'coldlink')?.excluded?.detail).toBe(
        'coldlink/chilled does not serve zone remote (2088 km)',
      );
      expect(d.plan.parcels.map((p) => [p.warehouseId, p.lines])).toEqual([
        ['wh-chengdu', [{ sku: 'C', quantity: 2 }]],
        ['wh-guangzhou', [{ sku: 'C', quantity: 2 }]],
      ]);
      expect(chosen(d)).toMatchObject({ carrier: 'coldlink', mode: 'cold-chain', breakdown: { splitPenalty: -10 } });
      // Sets with Beijing are tried too; its parcel finds no service.
      expect(excluded(d, 'no-carrier').map((c) => c.id)).toEqual(['wh-chengdu+wh-beijing', 'wh-guangzhou+wh-beijing']);
    },
  },
  {
    name: 'split past product attributes: no service carries cold-chain and hazmat together; two parcels do',
    policy: policyWith((doc) => {
      const shanghai = doc.warehouses.find((w) => w.id === 'wh-shanghai');
      if (shanghai) shanghai.capabilities.hazmat = true;
    }),
    input: order({
      lines: [
        { sku: 'C', quantity: 1, attributes: { coldChain: true } },
        { sku: 'H', quantity: 1, attributes: { hazmat: true } },
      ],
      shipTo: to('Sichuan', 'Chengdu'),
      stock: { C: { 'wh-shanghai': 1 }, H: { 'wh-shanghai': 1, 'wh-chengdu': 1 } },
    }),
    chosen: 'wh-chengdu/green-rail/rail+wh-shanghai/coldlink/chilled',
    explains: (d) => {
      const shanghai = d.candidates.filter((c) => c.id.startsWith('wh-shanghai/'));
      expect(shanghai.map((c) => [c.id, c.excluded?.reason])).toEqual([
        ['wh-shanghai/sf-express/air-express', 'product'],
        ['wh-shanghai/sf-express/standard', 'product'],
        ['wh-shanghai/zto/economy', 'product'],
        ['wh-shanghai/coldlink/chilled', 'product'],
        ['wh-shanghai/green-rail/rail', 'product'],
      ]);
      expect(shanghai[3]?.excluded?.detail).toBe('coldlink/chilled (cold-chain) does not carry hazmat goods: H');
      expect(shanghai[4]?.excluded?.detail).toBe('green-rail/rail (ground) does not carry cold-chain goods: C');
      expect(d.plan.parcels.map((p) => [p.warehouseId, p.mode, p.lines])).toEqual([
        ['wh-chengdu', 'ground', [{ sku: 'H', quantity: 1 }]],
        ['wh-shanghai', 'cold-chain', [{ sku: 'C', quantity: 1 }]],
      ]);
    },
  },
];

describe('planRouting scenarios (demo policy)', () => {
  it.each(scenarios)('$name', async ({ policy = DEMO_ROUTING_POLICY, input, chosen: expected, explains }) => {
    const decision = await planRouting(input, policy);
    expect(decision.plan.candidateId).toBe(expected);
    expect(decision.candidates[0]?.id).toBe(expected);
    expect(decision.policyVersion).toBe(policy.version ?? null);
    explains(decision);
  });
});

describe('planRouting explanations', () => {
  it('gives every candidate either a score breakdown or an exclusion reason, never both', async () => {
    const decision = await planRouting(order({
      lines: [{ sku: 'L', quantity: 1, attributes: { liquid: true } }],
    }), DEMO_ROUTING_POLICY);
    for (const c of decision.candidates) {
      expect((c.breakdown === undefined) !== (c.excluded === undefined), c.id).toBe(true);
      expect(c.score === undefined).toBe(c.breakdown === undefined);
    }
    const scores = scored(decision).map((c) => c.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('scores add up: each score is the sum of its breakdown, factor points total at most 100', async () => {
    const decision = await planRouting(order(), DEMO_ROUTING_POLICY);
    for (const c of scored(decision)) {
      const points = Object.values(c.breakdown ?? {});
      expect(c.score).toBeCloseTo(points.reduce((a, b) => a + b, 0), 2);
      expect(points.every((p) => p <= 100)).toBe(true);
    }
    expect(decision.plan.score).toBe(decision.candidates[0]?.score);
  });

  it('is deterministic: the same input gives the same decision', async () => {
    const input = order({
      lines: [{ sku: 'A', quantity: 60 }],
      stock: stockAt(['A'], { 'wh-shanghai': 30, 'wh-guangzhou': 30, 'wh-beijing': 30, 'wh-chengdu': 30 }),
    });
    const again = await planRouting(structuredClone(input), DEMO_ROUTING_POLICY);
    expect(await planRouting(input, DEMO_ROUTING_POLICY)).toEqual(again);
  });

  it('leaves the policy untouched (it is cached and shared between invocations)', async () => {
    const before = JSON.stringify(DEMO_ROUTING_POLICY);
    const vip = { lines: [{ sku: 'L', quantity: 3, attributes: { liquid: true } }], customerTier: 'vip' as const };
    await planRouting(order({ ...vip, shipTo: to('Hainan', 'Haikou') }), DEMO_ROUTING_POLICY);
    expect(JSON.stringify(DEMO_ROUTING_POLICY)).toBe(before);
  });

  it('aggregates lines of the same SKU before allocating', async () => {
    const decision = await planRouting(
      order({ lines: [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 3 }], stock: stockAt(['A'], { 'wh-chengdu': 5 }) }),
      DEMO_ROUTING_POLICY,
    );
    expect(decision.plan.parcels).toEqual([
      expect.objectContaining({ warehouseId: 'wh-chengdu', lines: [{ sku: 'A', quantity: 5 }] }),
    ]);
  });

  it('records the policy version and carries no personal data', async () => {
    const policy = { ...DEMO_ROUTING_POLICY, version: 7 };
    const shipTo = { ...to('Zhejiang', 'Hangzhou'), name: 'Li Lei', phone: '+86 138 0000 0000', line1: '1 West Lake Rd' };
    const decision = await planRouting(order({ shipTo }), policy);
    expect(decision.policyVersion).toBe(7);
    const json = JSON.stringify(decision);
    for (const secret of ['Li Lei', '138', 'West Lake']) expect(json).not.toContain(secret);
  });

  it('refuses malformed input with a RangeError', async () => {
    await expect(planRouting(order({ lines: [] }), DEMO_ROUTING_POLICY)).rejects.toThrow(RangeError);
    await expect(planRouting(order({
      lines: [{ sku: 'A', quantity: 0 }],
    }), DEMO_ROUTING_POLICY)).rejects.toThrow(RangeError);
    await expect(planRouting(order({ today: '1 June' }), DEMO_ROUTING_POLICY)).rejects.toThrow(RangeError);
  });
});

describe('planRouting when nothing can serve', () => {
  async function noRoute(input: RoutingInput, policy: RoutingPolicy = DEMO_ROUTING_POLICY): Promise<NoRouteWithExplanation> {
    const error = await planRouting(input, policy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NoRouteWithExplanation);
    return error as NoRouteWithExplanation;
  }

  it('throws a NoRoute carrying the explanation: hazmat to Hainan', async () => {
    const error = await noRoute(order({
      lines: [{ sku: 'H', quantity: 1, attributes: { hazmat: true } }],
      shipTo: to('Hainan', 'Haikou'),
    }));
    expect(error).toBeInstanceOf(NoRoute);
    expect(error.name).toBe('NoRoute');
    expect(error.message).toBe(
      'No warehouse and carrier can serve the order: 8 candidate(s) excluded (product 4, hazmat 3, region 1)',
    );
    expect(error.explanation.candidates.every((c) => c.excluded)).toBe(true);
    expect(error.explanation.candidates.find((c) => c.carrier === 'green-rail')?.excluded).toEqual({
      reason: 'region',
      detail: 'green-rail does not serve Hainan',
    });
    expect(error.explanation).not.toHaveProperty('plan');
  });

  it('explains an unknown destination', async () => {
    const error = await noRoute(order({ shipTo: { country: 'FR', region: 'Ile-de-France', city: 'Paris' } }));
    expect(error.explanation.candidates).toHaveLength(4);
    expect(error.explanation.candidates[0]?.excluded).toEqual({
      reason: 'destination',
      detail: 'The policy has no location for FR/Ile-de-France/Paris',
    });
  });

  it('explains a split that cannot be made from the stock there is', async () => {
    const error = await noRoute(order({
      lines: [{ sku: 'A', quantity: 10 }],
      stock: stockAt(['A'], { 'wh-shanghai': 3, 'wh-beijing': 3 }),
    }));
    expect(error.explanation.candidates.at(-1)).toEqual({
      id: 'split',
      warehouseIds: ['wh-shanghai', 'wh-beijing'],
      excluded: { reason: 'stock', detail: 'No 3 or fewer of the open warehouses together hold every line' },
    });
  });

  it('explains a split whose parcel no carrier will take', async () => {
    // Cold-chain item at Shanghai (cold chain, but ColdLink does not run to Xinjiang) and a plain one at Beijing.
    const error = await noRoute(
      order({
        lines: [{ sku: 'C', quantity: 1, attributes: { coldChain: true } }, { sku: 'A', quantity: 1 }],
        shipTo: to('Xinjiang', 'Urumqi'),
        stock: { C: { 'wh-shanghai': 1 }, A: { 'wh-guangzhou': 1 } },
      }),
    );
    const split = error.explanation.candidates.find((c) => c.excluded?.reason === 'no-carrier');
    expect(split?.id).toBe('wh-shanghai+wh-guangzhou');
    expect(split?.excluded?.detail).toMatch(/^No service can take the parcel from wh-shanghai: .*coldlink\/chilled \(zone\)/u);
  });

  it('says which warehouses a split could use when one holds the order but no carrier ships from it', async () => {
    const policy = policyWith((doc) => {
      const beijing = doc.warehouses.find((w) => w.id === 'wh-beijing');
      if (beijing?.supplier) beijing.supplier.excludedCarriers = ['sf-express', 'zto', 'coldlink', 'green-rail'];
    });
    const error = await noRoute(
      order({
        lines: [{ sku: 'A', quantity: 60 }],
        shipTo: to('Beijing'),
        stock: stockAt(['A'], { 'wh-beijing': 100, 'wh-shanghai': 20, 'wh-chengdu': 20 }),
      }),
      policy,
    );
    expect(error.explanation.candidates.filter((c) => c.excluded?.reason === 'supplier')).toHaveLength(5);
    expect(error.explanation.candidates.at(-1)).toEqual({
      id: 'split',
      warehouseIds: ['wh-shanghai', 'wh-chengdu'],
      excluded: {
        reason: 'stock',
        detail: 'No 3 or fewer of the open warehouses a carrier can ship from together hold every line',
      },
    });
  });

  it('never splits when the policy allows one parcel only', async () => {
    const policy = policyWith((doc) => {
      doc.maxParcels = 1;
    });
    const error = await noRoute(order({
      lines: [{ sku: 'A', quantity: 60 }],
      stock: stockAt(['A'], { 'wh-shanghai': 50, 'wh-beijing': 50 }),
    }), policy);
    expect(error.explanation.candidates.map((c) => c.excluded?.reason)).toEqual(['stock', 'stock', 'stock', 'stock']);
  });
});

describe('planRouting rules compare place names case-insensitively', () => {
  const rule = (name: string, condition: Record<string, unknown>) => ({
    name,
    conditions: { all: [condition] },
    event: { type: 'priority-handling' as const },
  });
  const policy = policyWith((doc) => {
    doc.rules = [
      rule('haikou', { fact: 'shipToCity', operator: 'equal', value: 'Haikou' }),
      rule('island-cities', { fact: 'shipToCity', operator: 'in', value: ['haikou', 'SANYA'] }),
      rule('hainan', { fact: 'shipToRegion', operator: 'equal', value: 'HAINAN' }),
      rule('not-hainan', { fact: 'shipToRegion', operator: 'notIn', value: [' hainan '] }),
      rule('china', { fact: 'shipToCountry', operator: 'equal', value: 'cn' }),
      rule('city-is-region', { fact: 'shipToCity', operator: 'equal', value: { fact: 'shipToRegion' } }),
    ];
  });

  const cases: { shipTo: RoutingInput['shipTo']; fired: string[] }[] = [
    { shipTo: { country: 'CN', region: 'Hainan', city: 'Haikou' }, fired: ['haikou', 'island-cities', 'hainan', 'china'] },
    { shipTo: { country: 'cn', region: 'hainan', city: 'HAIKOU' }, fired: ['haikou', 'island-cities', 'hainan', 'china'] },
    { shipTo: { country: ' Cn', region: 'HAINAN ', city: ' haikou ' }, fired: ['haikou', 'island-cities', 'hainan', 'china'] },
    { shipTo: { country: 'CN', region: 'Hainan', city: 'sanya' }, fired: ['island-cities', 'hainan', 'china'] },
    { shipTo: { country: 'CN', region: 'Beijing', city: 'BEIJING' }, fired: ['not-hainan', 'china', 'city-is-region'] },
    { shipTo: { country: 'CN', region: 'Guangdong', city: 'Shenzhen' }, fired: ['not-hainan', 'china'] },
  ];

  it.each(cases)('$shipTo.country/$shipTo.region/$shipTo.city fires $fired', async ({ shipTo, fired }) => {
    const decision = await planRouting(order({ shipTo }), policy);
    expect(decision.rulesFired).toEqual(fired);
  });

  it('leaves the policy\'s rule values as written', async () => {
    const before = JSON.stringify(policy);
    await planRouting(order({ shipTo: to('Hainan', 'Haikou') }), policy);
    expect(JSON.stringify(policy)).toBe(before);
  });
});

describe('planRouting promised date and the network\'s time zone', () => {
  it('counts from `today`, the date in the network\'s time zone (see localDate)', async () => {
    const policy = policyWith((doc) => {
      doc.timeZone = 'Asia/Shanghai';
    });
    const now = '2025-06-01T17:00:00Z'; // already 2 June, 01:00, in Shanghai
    const decision = await planRouting(order({ today: localDate(now, policy.timeZone) }), policy);
    expect(decision.plan.candidateId).toBe('wh-shanghai/zto/economy');
    expect(decision.plan.promisedDate).toBe('2025-06-05'); // 1 handling + 2 local transit days from 2 June
    const utcPolicy = policyWith((doc) => {
      doc.timeZone = 'UTC';
    });
    const utc = await planRouting(order({ today: localDate(now, utcPolicy.timeZone) }), utcPolicy);
    expect(utc.plan.promisedDate).toBe('2025-06-04');
  });
});
