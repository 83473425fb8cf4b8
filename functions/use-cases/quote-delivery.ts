/**
 * Delivery-option quotes before checkout: the planner's surviving plans for the lines and
 * destination, on live free stock and today's warehouse capacity, as RouteOrder would meet
 * them for a new order, changing nothing but the quote item: no stock is locked. The fastest,
 * cheapest and greenest of one planning run are answered and kept under a `quoteId` that an
 * order may reference (route-order.ts honours it while it still holds).
 */
import { localDate } from '../domain/routing/dates.ts';
import { NoRouteWithExplanation, type WinningPlan } from '../domain/routing/decision.ts';
import { linesKey, placeKey, quoteOptions, type QuotedLine } from '../domain/routing/quote-options.ts';
import { QUOTE_OPTIONS, type QuoteOptionName } from '../domain/routing/quote-outcome.ts';
import { rankPlans } from '../domain/routing/route-planner.ts';
import { DEFAULT_POLICY_CURRENCY } from '../domain/routing/routing-policy.ts';
import type { Rollout } from '../domain/routing/rollout.ts';
import { aggregateLines, allocatableStock } from '../domain/stock.ts';
import type { CustomerTier } from '../domain/vocabulary.ts';
import type { Dependencies } from './dependencies.ts';
import { NO_POLICY_NOTE } from './route-order.ts';
import { policyForOrder } from './routing-policy.ts';

/** How long an order may reference a quote after it was made. */
export const QUOTE_VALIDITY_MS = 15 * 60_000;

export interface QuoteRequest {
  channel: string;
  lines: QuotedLine[];
  /** `postalCode` is validated but neither stored nor used: routing reads country, region and city. */
  destination: { country: string; region: string; city: string; postalCode: string };
  customerTier: CustomerTier;
}

/** One option as a checkout shows it: price, date, carbon, and where from with whom. */
export interface QuotedOption {
  priceMinor: number;
  currency: string;
  promisedDate: string;
  carbonGrams: number;
  warehouseIds: string[];
  carriers: string[];
  parcels: Array<{ warehouseId: string; carrier: string; serviceLevel: string; mode: string; lines: Array<{ sku: string; quantity: number }> }>;
}

export type QuoteAnswer =
  | {
      quoteId: string;
      validUntil: string;
      /** The version that answered: the live one, or the staged candidate for quotes in its share (`rollout`). */
      policyVersion: number | null;
      rollout?: Rollout;
      options: Record<QuoteOptionName, QuotedOption>;
    }
  | {
      quoteId: null;
      policyVersion: number | null;
      rollout?: Rollout;
      options: null;
      /** Why no option: the planner's summary and the exclusions counted by reason. */
      noOption: { summary: string; excluded: Record<string, number> };
    };

function quotedOption(plan: WinningPlan, currency: string): QuotedOption {
  return {
    priceMinor: plan.totalCostMinor,
    currency,
    promisedDate: plan.promisedDate,
    carbonGrams: plan.totalCarbonGrams,
    warehouseIds: [...new Set(plan.parcels.map((parcel) => parcel.warehouseId))],
    carriers: [...new Set(plan.parcels.map((parcel) => parcel.carrier))],
    parcels: plan.parcels.map(({ warehouseId, carrier, serviceLevel, mode, lines }) => ({ warehouseId, carrier, serviceLevel, mode, lines })),
  };
}

export async function quoteDelivery(
  deps: Pick<Dependencies, 'stock' | 'capacity' | 'routingPolicy' | 'quotes' | 'now' | 'newQuoteId'>,
  request: QuoteRequest,
): Promise<QuoteAnswer> {
  const quoteId = deps.newQuoteId();
  // A quote is in a staged version's share by its id, as an order is by its own.
  const { policy, rollout } = policyForOrder(await deps.routingPolicy(), quoteId);
  const arm = rollout ? { rollout } : {};
  const policyVersion = policy?.version ?? null;
  if (!policy) return { quoteId: null, policyVersion, ...arm, options: null, noOption: { summary: NO_POLICY_NOTE, excluded: {} } };

  const lines = aggregateLines(request.lines);
  const now = deps.now();
  const today = localDate(now, policy.document.timeZone);
  const stock = await deps.stock.getMany(lines.map((line) => line.sku), { consistentRead: false });
  const capacityUsedToday = await deps.capacity.usedOn(today, policy.document.warehouses.map((w) => w.id));
  // What a new order could be offered: nothing of it is locked.
  const offer = allocatableStock(lines.map((line) => ({ ...line, quantity: 0, shard: 0 })), stock);
  const { country, region, city } = request.destination;
  let plans: WinningPlan[];
  try {
    ({ plans } = await rankPlans(
      { lines: request.lines, shipTo: { country, region, city }, customerTier: request.customerTier, stock: offer, capacityUsedToday, today },
      { ...policy.document, version: policy.version },
    ));
  } catch (error) {
    if (!(error instanceof NoRouteWithExplanation)) throw error;
    const excluded: Record<string, number> = {};
    for (const candidate of error.explanation.candidates) {
      if (candidate.excluded) excluded[candidate.excluded.reason] = (excluded[candidate.excluded.reason] ?? 0) + 1;
    }
    return { quoteId: null, policyVersion, ...arm, options: null, noOption: { summary: error.message, excluded } };
  }

  const chosen = quoteOptions(plans);
  const validUntil = new Date(Date.parse(now) + QUOTE_VALIDITY_MS).toISOString();
  await deps.quotes.save({
    quoteId,
    channel: request.channel,
    lines: linesKey(request.lines),
    place: placeKey(request.destination),
    validUntil,
    policyVersion,
    options: Object.fromEntries(QUOTE_OPTIONS.map((name) => [name, chosen[name].candidateId])) as Record<QuoteOptionName, string>,
  });
  const currency = policy.document.currency ?? DEFAULT_POLICY_CURRENCY;
  return {
    quoteId,
    validUntil,
    policyVersion,
    ...arm,
    options: Object.fromEntries(QUOTE_OPTIONS.map((name) => [name, quotedOption(chosen[name], currency)])) as Record<QuoteOptionName, QuotedOption>,
  };
}
