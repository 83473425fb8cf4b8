/**
 * The RouteOrder step and its compensation, ReleaseAllocation (the rules every step keeps:
 * fulfilment-step.ts). The live routing policy, the order and the free stock become a route
 * plan with its explanation. The explanation is capped, so it fits in the order item and in
 * the OrderRouted event whatever the network's size.
 */
import { transition, type Order } from '../domain/order.ts';
import {
  NoRouteWithExplanation,
  type OrderRoute,
  type PlannerDecision,
  type PlannerExplanation,
  type RecordedExplanation,
} from '../domain/routing/decision.ts';
import { planRouting } from '../domain/routing/route-planner.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import { localDate } from '../domain/routing/dates.ts';
import { allocatableStock, locksOf, parcelWarehouses, planAllocation, releaseAllocationMoves, type ShardQuantity } from '../domain/stock.ts';
import type { SkuQuantity } from '../domain/vocabulary.ts';
import { capacityRelease } from './capacity-counts.ts';
import type { StepDependencies } from './dependencies.ts';
import { awaitsPayment } from '../domain/payment.ts';
import { closing, compensable, isPast, load, markOnly, refuse, requireOpen, step, type CompensationResult, type StepResult } from './fulfilment-step.ts';
import type { StoredPolicy } from './ports.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';
import { policyForOrder } from './routing-policy.ts';
import { linesKey, placeKey } from '../domain/routing/quote-options.ts';
import type { QuoteOutcome, QuoteRefusal } from '../domain/routing/quote-outcome.ts';

/** Enough to see why the winner won and why the runners-up lost; the rest is counted. */
export const EXPLAINED_CANDIDATES = 25;

export function capExplanation(explanation: PlannerExplanation, note?: string): RecordedExplanation & { policyVersion: number | null } {
  return {
    policyVersion: explanation.policyVersion,
    candidates: explanation.candidates.slice(0, EXPLAINED_CANDIDATES),
    candidatesOmitted: Math.max(0, explanation.candidates.length - EXPLAINED_CANDIDATES),
    rulesFired: explanation.rulesFired,
    ...(note ? { note } : {}),
  };
}

function orderRouteOf(decision: PlannerDecision, quote?: QuoteCheck): OrderRoute {
  const { candidateId, ...plan } = decision.plan;
  const { policyVersion, ...capped } = capExplanation(decision);
  const explanation = quote ? { ...capped, quote: quoteOutcome(quote, candidateId) } : capped;
  return {
    ...plan,
    policyVersion,
    allocations: plan.parcels.flatMap((parcel) =>
      parcel.lines.map((line) => ({ sku: line.sku, warehouseId: parcel.warehouseId, quantity: line.quantity })),
    ),
    explanation,
  };
}

/**
 * An order's quote as checked before planning: the candidate to honour when the quote still
 * binds the order, else why not. Quotes never change, and validity is judged at the order's
 * placement, so every retry of the step checks the same.
 */
export type QuoteCheck = NonNullable<Order['quote']> & ({ candidateId: string; reason?: never } | { candidateId?: never; reason: QuoteRefusal });

export async function checkQuote(deps: Pick<StepDependencies, 'quotes'>, order: Order): Promise<QuoteCheck | undefined> {
  if (!order.quote) return undefined;
  const { quoteId, option } = order.quote;
  const refused = (reason: QuoteRefusal): QuoteCheck => ({ quoteId, option, reason });
  const quote = await deps.quotes.get(quoteId);
  // Another channel's quote reads as none: a channel learns nothing about others' quotes.
  if (!quote || quote.channel !== order.channel) return refused('not-found');
  if (order.placedAt >= quote.validUntil) return refused('expired');
  if (linesKey(order.lines) !== quote.lines) return refused('lines-changed');
  if (placeKey(order.shipTo) !== quote.place) return refused('destination-changed');
  return { quoteId, option, candidateId: quote.options[option] };
}

/** What the explanation records about the quote once planned: honoured when the quoted candidate won. */
export function quoteOutcome(check: QuoteCheck, decided?: string): QuoteOutcome {
  const { quoteId, option } = check;
  if (check.reason) return { quoteId, option, honoured: false, reason: check.reason };
  return decided === check.candidateId ? { quoteId, option, honoured: true } : { quoteId, option, honoured: false, reason: 'option-unavailable' };
}

export const NO_POLICY_NOTE = 'No routing policy has been saved: PUT /policies/routing before taking orders';

/**
 * Plans the route of a stock-locked order. Throws NoRouteWithExplanation when nothing
 * can serve it, including when no policy exists yet.
 */
export async function decideRoute(
  order: Order,
  lines: readonly SkuQuantity[],
  /** Free units per SKU per warehouse this order may be allocated. */
  stock: Record<string, Record<string, number>>,
  /** Parcels each warehouse has been given today. */
  capacityUsedToday: Record<string, number>,
  policy: StoredPolicy<RoutingPolicy> | undefined,
  today: string,
  /** The order's quote: its candidate wins if it survives the constraints. */
  quote?: QuoteCheck,
): Promise<OrderRoute> {
  if (!policy) {
    throw new NoRouteWithExplanation(NO_POLICY_NOTE, { policyVersion: null, candidates: [], rulesFired: [] });
  }
  const attributes = new Map(order.lines.map((line) => [line.sku, line.attributes]));
  const decision = await planRouting(
    {
      lines: lines.map((line) => ({ ...line, ...(attributes.get(line.sku) ? { attributes: attributes.get(line.sku) } : {}) })),
      shipTo: { country: order.shipTo.country, region: order.shipTo.region, city: order.shipTo.city },
      customerTier: order.customer.tier,
      ...(order.deliveryPreference ? { deliveryPreference: order.deliveryPreference } : {}),
      stock,
      capacityUsedToday,
      today,
    },
    { ...policy.document, version: policy.version },
    quote?.candidateId,
  );
  return orderRouteOf(decision, quote);
}

/** Per SKU, how many shards to read so that every shard the order holds a lock in is read. */
function shardsHeld(locks: readonly ShardQuantity[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const { sku, shard } of locks) held.set(sku, Math.max(held.get(sku) ?? 0, shard + 1));
  return held;
}

export interface RouteResult extends StepResult {
  policyVersion: number | null;
  parcels: Array<{ warehouseId: string; carrier: string; serviceLevel: string }>;
}

function routeResult(order: Order, route: OrderRoute): RouteResult {
  return {
    orderId: order.orderId,
    status: order.status,
    policyVersion: route.policyVersion,
    parcels: route.parcels.map(({ warehouseId, carrier, serviceLevel }) => ({ warehouseId, carrier, serviceLevel })),
  };
}

/**
 * Routes under the live policy (or the staged candidate, for the orders in its share) and turns
 * the lock into allocations at the chosen warehouses. When nothing can serve the order, the
 * explanation is recorded on it with the refusal, so the rejected order says why.
 */
export async function routeOrder(deps: StepDependencies, orderId: string): Promise<RouteResult> {
  let exclusive = false;
  let consistent = false;
  return retryOnConflict(`Order ${orderId} kept changing while routing`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'ROUTED') && order.route) return routeResult(order, order.route);
    // Awaiting payment: the execution ends here; the authorization's event starts the next one (domain/payment.ts).
    if (awaitsPayment(order)) return { orderId, status: order.status, policyVersion: null, parcels: [] };
    requireOpen(order, 'STOCK_LOCKED', 'ROUTED');
    const reservation = await deps.orders.getReservation(orderId);
    // Read after the order: another execution or a cancel changed it in between.
    if (reservation?.state !== 'LOCKED') return CONFLICT;
    // Eventually consistent at first: the allocation's conditions catch a stale read, and a hot
    // SKU's shards are read by every order, so this halves the read units on their partitions.
    const stock = await deps.stock.getMany(
      reservation.lines.map((line) => line.sku),
      { consistentRead: consistent || exclusive, atLeast: shardsHeld(reservation.locks) },
    );
    // While a version is staged, the order's id says which of the two decides (the same on every retry and re-drive).
    const { policy, rollout } = policyForOrder(await deps.routingPolicy(), orderId);
    const withRollout = <E extends object>(explanation: E) => (rollout ? { ...explanation, rollout } : explanation);
    // The routing day where the warehouses are: promised dates and daily capacity count from it.
    const today = localDate(deps.now(), policy?.document.timeZone);
    const capacityUsed = policy ? await deps.capacity.usedOn(today, policy.document.warehouses.map((w) => w.id)) : {};
    const quote = await checkQuote(deps, order);
    let route: OrderRoute;
    try {
      const allocatable = allocatableStock(reservation.locks, stock, { exclusive });
      const decided = await decideRoute(order, reservation.lines, allocatable, capacityUsed, policy, today, quote);
      route = { ...decided, explanation: withRollout(decided.explanation) };
    } catch (error) {
      if (!(error instanceof NoRouteWithExplanation)) throw error;
      // A refusal is never decided on a stale read: read the stock consistently first.
      if (!consistent) {
        consistent = true;
        return CONFLICT;
      }
      const note = error.explanation.policyVersion === null ? NO_POLICY_NOTE : undefined;
      const explanation = capExplanation(error.explanation, note);
      const withQuote = quote ? { ...explanation, quote: quoteOutcome(quote) } : explanation;
      return refuse(deps, order, error, 'NO_ROUTE', { routingExplanation: withRollout(withQuote) });
    }
    const allocation = planAllocation(reservation.locks, route.allocations, stock);
    if (!allocation) {
      // The split overstated what shards sharing a budget can give, or the read was stale:
      // read consistently and decide again on offers that any plan can be allocated from.
      exclusive = true;
      return CONFLICT;
    }
    const after = transition(order, 'ROUTED', deps.now(), { route }, undefined, step('RouteOrder'));
    const outcome = await deps.orders.commit({
      order: { before: order, after },
      reservation: {
        put: { orderId, state: 'ALLOCATED', lines: reservation.lines, allocations: allocation.allocations, capacityDay: today },
        expectedRevision: reservation.revision,
      },
      stock: allocation.moves,
      capacity: parcelWarehouses(route.allocations).map((warehouseId) => ({ warehouseId, day: today, parcels: 1 })),
    });
    // Either the order changed or another order took the warehouse's free stock first: decide again.
    return outcome.ok ? routeResult(after, route) : CONFLICT;
  });
}

/** Gives warehouse allocations back to the network-wide lock, exactly as the reservation holds them now. */
export async function releaseAllocation(deps: StepDependencies, orderId: string): Promise<CompensationResult> {
  return retryOnConflict(`Reservation of ${orderId} kept changing while releasing its allocation`, async () => {
    const order = await load(deps, orderId);
    if (!compensable(order)) return { orderId, undone: false };
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'ALLOCATED') return (await markOnly(deps, order)) ? { orderId, undone: false } : CONFLICT;
    const { allocations, lines } = reservation;
    const outcome = await deps.orders.commit({
      order: closing(order),
      reservation: { put: { orderId, state: 'LOCKED', lines, locks: locksOf(allocations) }, expectedRevision: reservation.revision },
      stock: releaseAllocationMoves(allocations),
      capacity: capacityRelease(reservation),
    });
    return outcome.ok ? { orderId, undone: true } : CONFLICT;
  });
}
