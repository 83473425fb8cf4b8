/**
 * Turns the live routing policy, the order and the free stock into a route plan with
 * its explanation. The explanation is capped, so it fits in the order item and in the
 * OrderRouted event whatever the network's size.
 */
import type { Order } from '../domain/order.ts';
import {
  NoRouteWithExplanation,
  type OrderRoute,
  type PlannerDecision,
  type PlannerExplanation,
  type RecordedExplanation,
} from '../domain/routing/decision.ts';
import { planRouting } from '../domain/routing/route-planner.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import type { SkuQuantity } from '../domain/vocabulary.ts';
import type { StoredPolicy } from './ports.ts';

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

function orderRouteOf(decision: PlannerDecision): OrderRoute {
  const { candidateId: _candidateId, ...plan } = decision.plan;
  const { policyVersion, ...explanation } = capExplanation(decision);
  return {
    ...plan,
    policyVersion,
    allocations: plan.parcels.flatMap((parcel) =>
      parcel.lines.map((line) => ({ sku: line.sku, warehouseId: parcel.warehouseId, quantity: line.quantity })),
    ),
    explanation,
  };
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
  );
  return orderRouteOf(decision);
}
