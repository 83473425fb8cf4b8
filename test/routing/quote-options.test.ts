/** Quote building: the fastest, cheapest and greenest of one planning run, and what a quote binds. */
import { describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { WinningPlan } from '../../functions/domain/routing/decision.ts';
import { linesKey, placeKey, quoteOptions } from '../../functions/domain/routing/quote-options.ts';
import { planRouting, rankPlans } from '../../functions/domain/routing/route-planner.ts';
import { order } from './support.ts';

function plan(candidateId: string, promisedDate: string, totalCostMinor: number, totalCarbonGrams: number): WinningPlan {
  return { candidateId, parcels: [], promisedDate, totalCostMinor, totalCarbonGrams, priorityHandling: false, score: 0 };
}

describe('quoteOptions', () => {
  it('answers the three options of the demo example (Hangzhou, 2 units) from one planning run', async () => {
    const { plans } = await rankPlans(order(), DEMO_ROUTING_POLICY);
    const options = quoteOptions(plans);
    expect(options.cheapest.candidateId).toBe('wh-shanghai/zto/economy');
    expect(options.cheapest.totalCostMinor).toBe(650);
    expect(options.greenest.candidateId).toBe('wh-shanghai/green-rail/rail');
    expect(options.greenest.totalCarbonGrams).toBe(4);
    // Two days by SF's ground and air services alike: the cheaper one is the fastest option.
    expect(options.fastest.candidateId).toBe('wh-shanghai/sf-express/standard');
    expect(options.fastest.promisedDate).toBe('2025-06-03');
    for (const [name, figure] of [
      ['fastest', (p: WinningPlan) => p.promisedDate],
      ['cheapest', (p: WinningPlan) => p.totalCostMinor],
      ['greenest', (p: WinningPlan) => p.totalCarbonGrams],
    ] as const) {
      const best = plans.map((p) => figure(p) as number | string).reduce((a, b) => (b < a ? b : a));
      expect(figure(options[name]), `${name} has the lowest figure of the run`).toBe(best);
    }
  });

  it('keeps each option\'s parcels, with the lines each ships', async () => {
    const { plans } = await rankPlans(order(), DEMO_ROUTING_POLICY);
    const { cheapest } = quoteOptions(plans);
    expect(cheapest.parcels).toEqual([
      expect.objectContaining({ warehouseId: 'wh-shanghai', carrier: 'zto', serviceLevel: 'economy', lines: [{ sku: 'A', quantity: 2 }] }),
    ]);
  });

  it('breaks ties by the next figures, then by rank', () => {
    const plans = [plan('a', '2025-06-03', 900, 10), plan('b', '2025-06-03', 800, 10), plan('c', '2025-06-05', 800, 5), plan('d', '2025-06-05', 800, 5)];
    const options = quoteOptions(plans);
    expect(options.fastest.candidateId).toBe('b');
    expect(options.cheapest.candidateId).toBe('b');
    expect(options.greenest.candidateId).toBe('c');
  });

  it('refuses to quote from no plan', () => {
    expect(() => quoteOptions([])).toThrow(RangeError);
  });
});

describe('planRouting honouring a quoted candidate', () => {
  it('ships the quoted candidate when it survives, though another scores better', async () => {
    const best = await planRouting(order(), DEMO_ROUTING_POLICY);
    expect(best.plan.candidateId).toBe('wh-shanghai/zto/economy');
    const honoured = await planRouting(order(), DEMO_ROUTING_POLICY, 'wh-shanghai/green-rail/rail');
    expect(honoured.plan.candidateId).toBe('wh-shanghai/green-rail/rail');
    expect(honoured.candidates).toEqual(best.candidates);
  });

  it('routes as usual when the quoted candidate no longer survives (its stock is gone)', async () => {
    const stock = { A: { 'wh-guangzhou': 100 } };
    const decision = await planRouting(order({ stock }), DEMO_ROUTING_POLICY, 'wh-shanghai/green-rail/rail');
    expect(decision.plan.parcels[0]!.warehouseId).toBe('wh-guangzhou');
  });
});

describe('what a quote binds', () => {
  it('compares lines per SKU, whatever their order or split, with the attributes routing reads', () => {
    const quoted = linesKey([{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1, attributes: { liquid: true } }]);
    expect(linesKey([{ sku: 'B', quantity: 1, attributes: { liquid: true } }, { sku: 'A', quantity: 1 }, { sku: 'A', quantity: 1 }])).toBe(quoted);
    expect(linesKey([{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1, attributes: { liquid: true } }])).not.toBe(quoted);
    expect(linesKey([{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }])).not.toBe(quoted);
  });

  it('compares places as routing matches them: trimmed, case-insensitive', () => {
    expect(placeKey({ country: 'CN', region: ' Zhejiang', city: 'HANGZHOU' })).toBe(placeKey({ country: 'cn', region: 'Zhejiang', city: 'Hangzhou' }));
    expect(placeKey({ country: 'CN', region: 'Zhejiang', city: 'Ningbo' })).not.toBe(placeKey({ country: 'CN', region: 'Zhejiang', city: 'Hangzhou' }));
  });
});
