/**
 * Delivery-option quotes: the fastest, cheapest and greenest of one planning run's surviving
 * plans, and what a quote is bound to, so that an order placed later gets the quoted option
 * only for what was quoted. Pure: the use case reads stock and stores the quote.
 */
import type { ProductAttributes } from '../vocabulary.ts';
import type { QuoteOptionName } from './quote-outcome.ts';
import type { WinningPlan } from './decision.ts';

/** Per option, the plan (of one run, best first) with the lowest figure, ties broken by the next figures then rank. */
export function quoteOptions(plans: readonly WinningPlan[]): Record<QuoteOptionName, WinningPlan> {
  if (plans.length === 0) throw new RangeError('A quote needs at least one plan');
  const ranked = plans.map((plan, rank) => ({ plan, rank }));
  const best = (...figures: Array<(plan: WinningPlan) => number | string>) =>
    ranked.reduce((a, b) => {
      for (const figure of figures) {
        const [x, y] = [figure(a.plan), figure(b.plan)];
        if (x !== y) return x < y ? a : b;
      }
      return a.rank <= b.rank ? a : b;
    }).plan;
  const date = (plan: WinningPlan) => plan.promisedDate; // YYYY-MM-DD sorts as text
  const cost = (plan: WinningPlan) => plan.totalCostMinor;
  const carbon = (plan: WinningPlan) => plan.totalCarbonGrams;
  return {
    fastest: best(date, cost, carbon),
    cheapest: best(cost, date, carbon),
    greenest: best(carbon, cost, date),
  };
}

export interface QuotedLine {
  sku: string;
  quantity: number;
  attributes?: ProductAttributes;
}

/**
 * The lines as a quote compares them: per SKU the total quantity and the attributes routing
 * reads, in SKU order, so the same goods in another line order or split over lines match.
 */
export function linesKey(lines: readonly QuotedLine[]): string {
  // Flags are sticky and the heaviest stated weight wins, as the planner aggregates them.
  const bySku = new Map<string, [number, boolean, boolean, boolean, boolean, number | null]>();
  for (const { sku, quantity, attributes: a = {} } of lines) {
    const [q, fragile, liquid, coldChain, hazmat, weight] = bySku.get(sku) ?? [0, false, false, false, false, null];
    const weights = [weight, a.weightGrams ?? null].filter((w): w is number => w !== null);
    bySku.set(sku, [
      q + quantity,
      fragile || Boolean(a.fragile),
      liquid || Boolean(a.liquid),
      coldChain || Boolean(a.coldChain),
      hazmat || Boolean(a.hazmat),
      weights.length ? Math.max(...weights) : null,
    ]);
  }
  return JSON.stringify([...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface QuotedPlace {
  country: string;
  region: string;
  city: string;
}

/** The destination as routing reads it: place names match trimmed and case-insensitively, like the policy's. */
export function placeKey(place: QuotedPlace): string {
  return [place.country, place.region, place.city].map((name) => name.trim().toLowerCase()).join('|');
}
