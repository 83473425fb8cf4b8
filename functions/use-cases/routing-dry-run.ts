/**
 * A draft routing policy tried on real recent orders next to the live one, changing nothing.
 * Both policies decide each order on the same inputs (today's free stock and warehouse capacity,
 * as a new order would meet them), so every difference in the answer is the policy's, not a
 * change of stock since the order was placed.
 */
import type { Order } from '../domain/order.ts';
import { localDate } from '../domain/routing/dates.ts';
import { NoRouteWithExplanation, type OrderRoute } from '../domain/routing/decision.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import { aggregateLines, allocatableStock, type SkuStock } from '../domain/stock.ts';
import type { Dependencies } from './dependencies.ts';
import type { StoredPolicy } from './ports.ts';
import { decideRoute } from './route-order.ts';

/** Which orders to try: the newest of these channels, at most `limit` in all. */
export interface DryRunSample {
  channels: readonly string[];
  limit: number;
}

export type DryRunOutcome =
  | {
      routed: true;
      warehouses: string[];
      carriers: string[];
      parcels: number;
      costMinor: number;
      carbonGrams: number;
      promisedDate: string;
      /** Days from today (in the policy's time zone) to the promised date. */
      promisedDays: number;
    }
  | { routed: false; reason: string };

export interface DryRunOrder {
  orderId: string;
  channel: string;
  live: DryRunOutcome;
  draft: DryRunOutcome;
  /** The draft routes it differently (warehouses, carriers or whether at all). */
  changed: boolean;
}

export interface DryRunTotals {
  routed: number;
  rejected: number;
  costMinor: number;
  carbonGrams: number;
  /** Over routed orders; null when none is. */
  averagePromisedDays: number | null;
  /** Share of routed orders shipped in more than one parcel; null when none is routed. */
  splitRate: number | null;
}

export interface DryRunReport {
  /** The live version compared with; null when no policy is live (then every live outcome is a rejection). */
  liveVersion: number | null;
  orders: DryRunOrder[];
  changed: number;
  live: DryRunTotals;
  draft: DryRunTotals;
  /** draft − live, per total. */
  delta: DryRunTotals;
}

const DAY_MS = 86_400_000;

export async function dryRunRoutingPolicy(
  deps: Pick<Dependencies, 'orders' | 'policies' | 'stock' | 'capacity' | 'now'>,
  draft: RoutingPolicy,
  sample: DryRunSample,
): Promise<DryRunReport> {
  const orders = await recentOrders(deps, sample);
  // The live version as saved, not the per-process cache: a dry-run right after a save compares with it.
  const live = await deps.policies.current<RoutingPolicy>();
  const stock = await deps.stock.getMany([...new Set(orders.flatMap((order) => order.lines.map((line) => line.sku)))], {
    consistentRead: false,
  });
  const decideWith = await decider(deps, live, stock);
  const decideWithDraft = await decider(deps, { version: (live?.version ?? 0) + 1, updatedAt: deps.now(), document: draft }, stock);

  const tried: DryRunOrder[] = [];
  for (const order of orders) {
    const [liveOutcome, draftOutcome] = [await decideWith(order), await decideWithDraft(order)];
    tried.push({ orderId: order.orderId, channel: order.channel, live: liveOutcome, draft: draftOutcome, changed: routeOf(liveOutcome) !== routeOf(draftOutcome) });
  }
  const liveTotals = totals(tried.map((order) => order.live));
  const draftTotals = totals(tried.map((order) => order.draft));
  return {
    liveVersion: live?.version ?? null,
    orders: tried,
    changed: tried.filter((order) => order.changed).length,
    live: liveTotals,
    draft: draftTotals,
    delta: difference(draftTotals, liveTotals),
  };
}

async function recentOrders(deps: Pick<Dependencies, 'orders'>, sample: DryRunSample): Promise<Order[]> {
  const pages = await Promise.all(sample.channels.map((channel) => deps.orders.list({ channel, limit: sample.limit })));
  // Order ids are ULIDs: sorting them newest first sorts by placement time across channels.
  return pages
    .flatMap((page) => page.orders)
    .sort((a, b) => (a.orderId < b.orderId ? 1 : -1))
    .slice(0, sample.limit);
}

/** Decides orders under one policy, with the routing day and capacity of its own time zone. */
async function decider(
  deps: Pick<Dependencies, 'capacity' | 'now'>,
  policy: StoredPolicy<RoutingPolicy> | undefined,
  stock: ReadonlyMap<string, SkuStock>,
): Promise<(order: Order) => Promise<DryRunOutcome>> {
  const today = localDate(deps.now(), policy?.document.timeZone);
  const capacity = policy ? await deps.capacity.usedOn(today, policy.document.warehouses.map((w) => w.id)) : {};
  return async (order) => {
    const lines = aggregateLines(order.lines);
    // What a new order could be offered: nothing of it is locked yet.
    const offer = allocatableStock(lines.map((line) => ({ ...line, quantity: 0, shard: 0 })), stock);
    try {
      return outcomeOf(await decideRoute(order, lines, offer, capacity, policy, today), today);
    } catch (error) {
      if (!(error instanceof NoRouteWithExplanation)) throw error;
      return { routed: false, reason: error.message };
    }
  };
}

function outcomeOf(plan: OrderRoute, today: string): DryRunOutcome {
  return {
    routed: true,
    warehouses: [...new Set(plan.parcels.map((parcel) => parcel.warehouseId))],
    carriers: [...new Set(plan.parcels.map((parcel) => parcel.carrier))],
    parcels: plan.parcels.length,
    costMinor: plan.totalCostMinor,
    carbonGrams: plan.totalCarbonGrams,
    promisedDate: plan.promisedDate,
    promisedDays: Math.round((Date.parse(plan.promisedDate) - Date.parse(today)) / DAY_MS),
  };
}

/** What two outcomes are compared on: where from and with whom, or that there is no route. */
const routeOf = (outcome: DryRunOutcome) => (outcome.routed ? `${outcome.warehouses.join('+')}|${outcome.carriers.join('+')}` : 'none');

function totals(outcomes: readonly DryRunOutcome[]): DryRunTotals {
  const routed = outcomes.filter((outcome) => outcome.routed);
  const sum = (pick: (outcome: (typeof routed)[number]) => number) => routed.reduce((total, outcome) => total + pick(outcome), 0);
  return {
    routed: routed.length,
    rejected: outcomes.length - routed.length,
    costMinor: sum((outcome) => outcome.costMinor),
    carbonGrams: Math.round(sum((outcome) => outcome.carbonGrams)),
    averagePromisedDays: routed.length ? round(sum((outcome) => outcome.promisedDays) / routed.length) : null,
    splitRate: routed.length ? round(routed.filter((outcome) => outcome.parcels > 1).length / routed.length) : null,
  };
}

function difference(draft: DryRunTotals, live: DryRunTotals): DryRunTotals {
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b));
  return {
    routed: draft.routed - live.routed,
    rejected: draft.rejected - live.rejected,
    costMinor: draft.costMinor - live.costMinor,
    carbonGrams: draft.carbonGrams - live.carbonGrams,
    averagePromisedDays: minus(draft.averagePromisedDays, live.averagePromisedDays),
    splitRate: minus(draft.splitRate, live.splitRate),
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
