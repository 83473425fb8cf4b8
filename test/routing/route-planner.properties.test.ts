/** Invariants of planRouting over generated orders and stock, and a large network. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import { planRouting } from '../../functions/domain/routing/route-planner.ts';
import { NoRouteWithExplanation, type PlannerDecision, type RoutingInput } from '../../functions/domain/routing/decision.ts';
import { CUSTOMER_TIERS, DELIVERY_PREFERENCES } from '../../functions/domain/vocabulary.ts';
import { policyWith, to, WAREHOUSES } from './support.ts';

const SKUS = ['A', 'B', 'C', 'D'];
const REGIONS = ['Shanghai', 'Guangdong', 'Hainan', 'Beijing', 'Tibet', 'Xinjiang', 'Liaoning'];

const stockArb = fc.record(
  Object.fromEntries(SKUS.map((sku) => [sku, fc.record(Object.fromEntries(WAREHOUSES.map((w) => [w, fc.nat(6)])))])),
) as fc.Arbitrary<Record<string, Record<string, number>>>;

const lineArb = fc.record(
  {
    sku: fc.constantFrom(...SKUS),
    quantity: fc.integer({ min: 1, max: 6 }),
    attributes: fc.record(
      {
        liquid: fc.boolean(),
        fragile: fc.boolean(),
        coldChain: fc.boolean(),
        hazmat: fc.boolean(),
        weightGrams: fc.integer({ min: 1, max: 20_000 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['sku', 'quantity'] },
);

const inputArb: fc.Arbitrary<RoutingInput> = fc.record(
  {
    lines: fc.array(lineArb, { minLength: 1, maxLength: 5 }),
    shipTo: fc.constantFrom(...REGIONS).map((region) => to(region)),
    customerTier: fc.constantFrom(...CUSTOMER_TIERS),
    deliveryPreference: fc.constantFrom(...DELIVERY_PREFERENCES),
    stock: stockArb,
    capacityUsedToday: fc.record(Object.fromEntries(WAREHOUSES.map((w) => [w, fc.constantFrom(0, 10, 1499, 1500, 5000)]))),
    today: fc.constant('2025-06-01'),
  },
  { requiredKeys: ['lines', 'shipTo', 'customerTier', 'stock', 'today'] },
) as fc.Arbitrary<RoutingInput>;

async function decide(input: RoutingInput, policy = DEMO_ROUTING_POLICY): Promise<PlannerDecision | NoRouteWithExplanation> {
  try {
    return await planRouting(input, policy);
  } catch (error) {
    if (error instanceof NoRouteWithExplanation) return error;
    throw error;
  }
}

function ordered(input: RoutingInput): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of input.lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return totals;
}

describe('planRouting invariants', () => {
  it('never allocates more than free stock per warehouse and covers every line exactly', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        const result = await decide(input);
        if (result instanceof NoRouteWithExplanation) {
          expect(result.explanation.candidates.every((c) => c.excluded)).toBe(true);
          return;
        }
        const { parcels } = result.plan;
        expect(parcels.length).toBeGreaterThan(0);
        expect(parcels.length).toBeLessThanOrEqual(DEMO_ROUTING_POLICY.maxParcels);
        expect(new Set(parcels.map((p) => p.warehouseId)).size).toBe(parcels.length);
        const allocated = new Map<string, number>();
        for (const parcel of parcels) {
          expect(parcel.lines.length).toBeGreaterThan(0);
          for (const { sku, quantity } of parcel.lines) {
            expect(quantity).toBeGreaterThan(0);
            expect(quantity).toBeLessThanOrEqual(input.stock[sku]?.[parcel.warehouseId] ?? 0);
            allocated.set(sku, (allocated.get(sku) ?? 0) + quantity);
          }
        }
        expect(allocated).toEqual(ordered(input));
        expect(result.plan.candidateId).toBe(result.candidates[0]?.id);
        expect(result.plan.totalCostMinor).toBe(parcels.reduce((sum, p) => sum + p.costMinor, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('ships plain goods in one parcel whenever one open warehouse holds the whole order', async () => {
    const plain = inputArb.map((input) => ({
      ...input,
      lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })),
      shipTo: to('Shanghai'),
      capacityUsedToday: {},
    }));
    await fc.assert(
      fc.asyncProperty(plain, async (input) => {
        const wanted = ordered(input);
        const fillsAlone = WAREHOUSES.some((w) => [...wanted].every(([sku, q]) => (input.stock[sku]?.[w] ?? 0) >= q));
        const result = await decide(input);
        if (fillsAlone) expect(result instanceof NoRouteWithExplanation ? 0 : result.plan.parcels.length).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('planRouting on a large network', () => {
  // 50 warehouses: the demo four plus 46 spread over eastern China.
  const policy = policyWith((doc) => {
    for (let i = 0; i < 46; i++) {
      doc.warehouses.push({
        id: `wh-${String(i).padStart(2, '0')}`,
        country: 'CN',
        region: `Region ${i % 9}`,
        city: `City ${i}`,
        location: { lat: 22 + ((i * 7) % 20), lon: 100 + ((i * 13) % 25) },
        dailyCapacity: 1000 + i * 10,
        capabilities: { coldChain: i % 5 === 0, hazmat: i % 7 === 0 },
      });
    }
  });
  const ids = policy.warehouses.map((w) => w.id);
  const lines = Array.from({ length: 20 }, (_, i) => ({
    sku: `SKU-${i}`,
    quantity: 1 + (i % 3),
    attributes: { fragile: i % 4 === 0 },
  }));
  const wuhan = { shipTo: to('Hubei', 'Wuhan'), today: '2025-06-01' };

  it('decides for 50 warehouses x 20 lines', async () => {
    const stock = Object.fromEntries(lines.map((line) => [line.sku, Object.fromEntries(ids.map((id) => [id, 10]))]));
    const decision = await planRouting({ ...wuhan, lines, customerTier: 'plus', stock }, policy);
    expect(decision.plan.parcels).toHaveLength(1);
    expect(decision.candidates.length).toBeGreaterThanOrEqual(50);
  });

  it('splits across 50 warehouses when each holds only part of the order', async () => {
    // Every warehouse holds a unit of half the SKUs; wh-10 has the first ten in full, wh-30 the last ten.
    const stock = Object.fromEntries(
      lines.map((line, i) => [
        line.sku,
        {
          ...Object.fromEntries(ids.filter((_, j) => (i + j) % 2 === 0).map((id) => [id, 1])),
          [i < 10 ? 'wh-10' : 'wh-30']: 5,
        },
      ]),
    );
    const decision = await planRouting({ ...wuhan, lines, customerTier: 'standard', stock }, policy);
    expect(decision.plan.parcels.length).toBeGreaterThan(1);
    expect(decision.plan.parcels.flatMap((p) => p.lines).reduce((sum, l) => sum + l.quantity, 0)).toBe(
      lines.reduce((sum, l) => sum + l.quantity, 0),
    );
    expect(decision.candidates.filter((c) => c.excluded?.reason === 'stock').length).toBe(50);
  });
});
