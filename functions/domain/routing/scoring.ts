/**
 * Scores candidates out of 100 against each other (see route-planner.ts for the formula) and
 * ranks them best first.
 */
import { SCORING_FACTORS } from './routing-policy.ts';
import type { RoutingPolicy, ScoringFactor } from './routing-policy.ts';
import type { DeliveryPreference } from '../vocabulary.ts';
import type { CandidatePlan, ScoredCandidate } from './candidate-plan.ts';
import { byString, round } from './figures.ts';

// About the smallest difference that matters, per "lower is better" factor (see the module comment).
const SMOOTHING = { distance: 50, cost: 100, speed: 1, carbon: 10 } as const;

// Factor weights times the preference's multipliers, scaled to sum to 1.
export function effectiveWeights(policy: RoutingPolicy, preference?: DeliveryPreference): Record<ScoringFactor, number> {
  const multipliers = preference ? (policy.weights.preferenceMultipliers[preference] ?? {}) : {};
  const raw = SCORING_FACTORS.map((factor) => policy.weights.factors[factor] * (multipliers[factor] ?? 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const scaled = SCORING_FACTORS.map((factor, i) => [factor, total > 0 ? (raw[i] ?? 0) / total : 0]);
  return Object.fromEntries(scaled) as Record<ScoringFactor, number>;
}

export interface ScoringContext {
  weights: Record<ScoringFactor, number>;
  targetDeliveryDays: number | undefined;
  splitPenalty: number;
  preferWarehouse: Map<string, number>;
}

// Scores plans against each other (they share the normalization) and sorts them best first.
export function rankCandidates(plans: readonly CandidatePlan[], ctx: ScoringContext): ScoredCandidate[] {
  if (plans.length === 0) return [];
  const best = (key: 'distanceKm' | 'costMinor' | 'deliveryDays' | 'carbonGrams') =>
    Math.min(...plans.map((d) => d.metrics[key]));
  const bests = {
    distance: best('distanceKm'),
    cost: best('costMinor'),
    speed: best('deliveryDays'),
    carbon: best('carbonGrams'),
  };
  const closeness = (value: number, factor: keyof typeof SMOOTHING) =>
    (bests[factor] + SMOOTHING[factor]) / (value + SMOOTHING[factor]);
  const target = ctx.targetDeliveryDays;
  const scored = plans.map((d): ScoredCandidate => {
    const m = d.metrics;
    const factor: Record<ScoringFactor, number> = {
      distance: closeness(m.distanceKm, 'distance'),
      cost: closeness(m.costMinor, 'cost'),
      speed: closeness(m.deliveryDays, 'speed'),
      capacity: m.capacityLeft,
      tier: target === undefined || m.deliveryDays <= target ? 1 : target / m.deliveryDays,
      carbon: closeness(m.carbonGrams, 'carbon'),
    };
    const breakdown: Record<string, number> = {};
    for (const f of SCORING_FACTORS) breakdown[f] = round(100 * ctx.weights[f] * factor[f]);
    // A preferred warehouse earns its bonus in proportion to the parcels it ships.
    const bonuses = d.parcels.map((p) => ctx.preferWarehouse.get(p.origin.warehouse.id) ?? 0);
    const bonus = bonuses.reduce((a, b) => a + b, 0) / d.parcels.length;
    if (bonus > 0) breakdown.preferredWarehouse = round(bonus);
    if (d.parcels.length > 1) breakdown.splitPenalty = round(-ctx.splitPenalty * (d.parcels.length - 1));
    const total = round(Object.values(breakdown).reduce((a, b) => a + b, 0));
    return { ...d, score: total, breakdown };
  });
  return scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.metrics.costMinor - b.metrics.costMinor ||
      a.metrics.deliveryDays - b.metrics.deliveryDays ||
      byString(a.id, b.id),
  );
}
