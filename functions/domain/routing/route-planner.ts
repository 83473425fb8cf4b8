/**
 * Multi-factor routing: chooses the warehouse(s), carrier and service level
 * for an order under a RoutingPolicy, and records why.
 *
 * 1. Rules (json-rules-engine) run over facts about the order; their events
 *    require or exclude carriers, modes and warehouses, favour a warehouse or
 *    ask for priority handling. Place facts (country, region, city) and rule
 *    values for them are trimmed and lower-cased first, so rules match place
 *    names case-insensitively like the rest of the policy.
 * 2. Hard constraints exclude warehouses (rules, regions, supplier, capacity
 *    left today, cold-chain/hazmat capability, stock) and carrier services
 *    (rules, regions, supplier, product attributes, zone).
 * 3. Every warehouse that can fill the whole order is paired with every
 *    service. Only when none of these pairs survives the hard constraints are
 *    split plans searched (a warehouse may hold the whole order yet have no
 *    service that can take it: zone, supplier's carriers, goods no single mode
 *    carries): fewest parcels first, each parcel taking its best service.
 * 4. Survivors are scored out of 100 and the best one wins.
 *
 * Scoring: each factor is normalized to [0, 1], 1 being best. Distance, cost,
 * delivery days and carbon are "lower is better" and normalized against the
 * best surviving candidate: (best + s) / (value + s), so a value twice the
 * best scores about half. The offset s (SMOOTHING: 50 km, 100 minor units,
 * 1 day, 10 g) keeps near-zero values (same city, same day) from making every
 * other candidate worthless.
 * Capacity is the share of the warehouse's daily capacity left after this
 * parcel. Tier is 1 when the plan meets the tier's target delivery days and
 * target / days otherwise. Factor weights, multiplied by the order's delivery
 * preference, are scaled to sum to 100 points; rule bonuses are added and
 * `splitPenalty` is charged per parcel beyond the first. Ties go to the lower
 * cost, then the earlier delivery, then the candidate id.
 *
 * Figures per parcel: cost = base + per-kg rate x started kg of its zone;
 * carbon = kg x great-circle km x the mode's g/kg-km; delivery days = handling
 * (0 with priority handling) + transit. A split plan sums cost and carbon and
 * takes the farthest distance, the slowest delivery and the least capacity
 * left. The promised date is `today` (the date in the network's time zone, see
 * `localDate`) plus the slowest delivery, in calendar days.
 */
import { addDays, dayNumber } from './dates.ts';
import {
  NoRouteWithExplanation,
  type ExplainedCandidate,
  type PlannerDecision,
  type PlannerExplanation,
  type RoutingInput,
  type WinningPlan,
} from './decision.ts';
import type { RoutingPolicy } from './routing-policy.ts';
import { aggregate, type Origin, type ScoredCandidate } from './candidate-plan.ts';
import { originExclusion } from './exclusions.ts';
import { explainedCandidate, noRouteSummary } from './explanation.ts';
import { findDestination, greatCircleKm, zoneOf } from './geography.ts';
import type { PlanningContext } from './planning-context.ts';
import { routingFacts, runRules } from './rules.ts';
import { effectiveWeights, rankCandidates } from './scoring.ts';
import { splitCandidates } from './split-candidates.ts';
import { wholeOrderCandidates } from './whole-order-candidates.ts';

function winningPlanOf(winner: ScoredCandidate, today: string, priorityHandling: boolean): WinningPlan {
  return {
    candidateId: winner.id,
    parcels: winner.parcels.map((p) => ({
      warehouseId: p.origin.warehouse.id,
      carrier: p.carrierService.carrier.id,
      mode: p.carrierService.service.mode,
      serviceLevel: p.carrierService.service.id,
      lines: p.lines.map(({ sku, quantity }) => ({ sku, quantity })),
      costMinor: p.costMinor,
      carbonGrams: p.carbonGrams,
      transitDays: p.transitDays,
    })),
    promisedDate: addDays(today, winner.metrics.deliveryDays),
    totalCostMinor: winner.metrics.costMinor,
    totalCarbonGrams: winner.metrics.carbonGrams,
    priorityHandling,
    score: winner.score,
  };
}

/** Every plan that survives the hard constraints, best first, with the explanation of the run. */
export interface RankedPlans extends PlannerExplanation {
  plans: WinningPlan[];
}

/**
 * Plans how to ship an order under `policy` and explains the choice.
 * Never allocates more than a warehouse's free units. Throws
 * NoRouteWithExplanation (a NoRoute) when nothing can serve the order,
 * RangeError on malformed input (no lines, non-positive quantity, bad date).
 * `honour` names a candidate (a quoted option) that wins instead of the best one if it survives.
 */
export async function planRouting(input: RoutingInput, policy: RoutingPolicy, honour?: string): Promise<PlannerDecision> {
  const { plans, ...explanation } = await rankPlans(input, policy);
  const plan = plans.find((p) => p.candidateId === honour) ?? plans[0]!;
  return { ...explanation, plan };
}

/**
 * One planning run's surviving plans, best first (what quotes choose their options from), under
 * the same rules and constraints as `planRouting`; throws like it when nothing survives.
 */
export async function rankPlans(input: RoutingInput, policy: RoutingPolicy): Promise<RankedPlans> {
  const lines = aggregate(input.lines, policy.defaultItemWeightGrams);
  dayNumber(input.today); // a bad date fails before any work
  const destination = findDestination(policy, input.shipTo);
  const effects = await runRules(policy, routingFacts(lines, input));
  const policyVersion = policy.version ?? null;
  const noRoute = (candidates: ExplainedCandidate[]) =>
    new NoRouteWithExplanation(noRouteSummary(candidates), { policyVersion, candidates, rulesFired: effects.fired });

  if (!destination) {
    const where = [input.shipTo.country, input.shipTo.region, input.shipTo.city].join('/');
    const detail = `The policy has no location for ${where}`;
    const reason = 'destination';
    throw noRoute(policy.warehouses.map((w) => ({ id: w.id, warehouseIds: [w.id], excluded: { reason, detail } })));
  }

  const tier = policy.tierPolicy[input.customerTier];
  const excluded: ExplainedCandidate[] = [];
  const run: PlanningContext = {
    input,
    lines,
    effects,
    carrierServices: policy.carriers.flatMap((carrier) => carrier.serviceLevels.map((service) => ({ carrier, service }))),
    priorityHandling: effects.priorityHandling || Boolean(tier?.priorityHandling),
    scoring: {
      weights: effectiveWeights(policy, input.deliveryPreference),
      targetDeliveryDays: tier?.targetDeliveryDays,
      splitPenalty: policy.weights.splitPenalty,
      preferWarehouse: effects.preferWarehouse,
    },
    exclude: (id, warehouseIds, why, carrierService) => {
      const service = carrierService && { carrier: carrierService.carrier.id, mode: carrierService.service.mode, serviceLevel: carrierService.service.id };
      excluded.push({ id, warehouseIds, ...service, excluded: why });
    },
  };

  const open: Origin[] = [];
  for (const warehouse of policy.warehouses) {
    const distanceKm = greatCircleKm(warehouse.location, destination.location);
    const used = Math.max(0, input.capacityUsedToday?.[warehouse.id] ?? 0);
    const origin: Origin = {
      warehouse,
      distanceKm,
      zone: zoneOf(policy, distanceKm),
      capacityLeft: Math.max(0, (warehouse.dailyCapacity - used - 1) / warehouse.dailyCapacity),
      handlingDays: warehouse.handlingDays,
    };
    const why = originExclusion(origin, input, effects);
    if (why) run.exclude(warehouse.id, [warehouse.id], why);
    else open.push(origin);
  }

  const singles = wholeOrderCandidates(run, open);
  // Carrier constraints differ per parcel (zone by warehouse, the warehouse's supplier, the goods in
  // the parcel), so a warehouse holding the whole order may have no service for it while a split
  // from other warehouses has one: search splits whenever no whole-order candidate survives.
  const split = singles.length === 0 && policy.maxParcels > 1;
  const plans = split ? splitCandidates(run, open, policy.maxParcels) : singles;
  const ranked = rankCandidates(plans, run.scoring);
  const candidates = [...ranked.map(explainedCandidate), ...excluded];
  if (ranked.length === 0) throw noRoute(candidates);
  return {
    policyVersion,
    plans: ranked.map((candidate) => winningPlanOf(candidate, input.today, run.priorityHandling)),
    candidates,
    rulesFired: effects.fired,
  };
}
