/**
 * What routing takes and answers. The planner answers a `PlannerDecision`: the `WinningPlan`
 * with every candidate it weighed (`ExplainedCandidate`) and the rules that fired, or throws
 * `NoRouteWithExplanation` carrying the same `PlannerExplanation`. The order keeps an
 * `OrderRoute`: the winning plan with its allocations and a capped `RecordedExplanation`.
 */
import { NoRoute } from '../errors.ts';
import type { Allocation, CustomerTier, DeliveryPreference, ProductAttributes, SkuQuantity } from '../vocabulary.ts';
import type { EXCLUSION_REASONS, TransportMode } from './routing-policy.ts';
import type { Rollout } from './rollout.ts';
import type { QuoteOutcome } from './quote-outcome.ts';

export interface RoutingLine {
  sku: string;
  quantity: number;
  attributes?: ProductAttributes;
}

export interface RoutingInput {
  /** Lines may repeat a SKU; they are aggregated first. */
  lines: readonly RoutingLine[];
  /** Only what routing needs: no name, phone or street. */
  shipTo: { country: string; region: string; city: string };
  customerTier: CustomerTier;
  deliveryPreference?: DeliveryPreference;
  /** Free units (on-hand minus allocated) per SKU per warehouse id. */
  stock: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Parcels each warehouse has dispatched today; missing means none. */
  capacityUsedToday?: Readonly<Record<string, number>>;
  /**
   * The date in the network's time zone (policy `timeZone`), YYYY-MM-DD: the promised
   * date counts from it. `localDate(now, policy.timeZone)` gives it.
   */
  today: string;
}

export interface ParcelPlan {
  warehouseId: string;
  carrier: string;
  mode: TransportMode;
  serviceLevel: string;
  lines: SkuQuantity[];
  costMinor: number;
  carbonGrams: number;
  transitDays: number;
}

export interface WinningPlan {
  /** The candidate this plan is, in `candidates`. */
  candidateId: string;
  parcels: ParcelPlan[];
  promisedDate: string;
  totalCostMinor: number;
  totalCarbonGrams: number;
  priorityHandling: boolean;
  score: number;
}

export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** What the score of a candidate was made of, next to the raw figures it came from. */
export interface CandidateMetrics {
  /** Farthest parcel, great-circle km. */
  distanceKm: number;
  costMinor: number;
  /** Handling plus transit days of the slowest parcel. */
  deliveryDays: number;
  carbonGrams: number;
  /** Share of daily capacity left at the most loaded warehouse after this order. */
  capacityLeft: number;
}

export interface ExplainedCandidate {
  /** `warehouse/carrier/serviceLevel`, parcels joined with `+`; a warehouse alone when excluded before carriers. */
  id: string;
  warehouseIds: string[];
  /** Set when every parcel uses the same carrier, mode or service level. */
  carrier?: string;
  mode?: TransportMode;
  serviceLevel?: string;
  score?: number;
  /** Points per scoring factor, plus `preferredWarehouse` (rule bonus) and `splitPenalty` (negative). */
  breakdown?: Record<string, number>;
  metrics?: CandidateMetrics;
  excluded?: { reason: ExclusionReason; detail: string };
}

/** Everything about a decision except the plan: what a NoRoute carries. */
export interface PlannerExplanation {
  /** Null for a policy document the store has not versioned yet. */
  policyVersion: number | null;
  /** Scored candidates best first, then the excluded ones. */
  candidates: ExplainedCandidate[];
  /** Names of the rules whose conditions held, in policy order. */
  rulesFired: string[];
}

export interface PlannerDecision extends PlannerExplanation {
  plan: WinningPlan;
}

/**
 * Nothing can serve the order. Keeps the name `NoRoute`, so workflow Catch
 * clauses and HTTP mapping treat it as one, and carries the explanation for
 * the caller to store on the rejected order.
 */
export class NoRouteWithExplanation extends NoRoute {
  readonly explanation: PlannerExplanation;
  constructor(message: string, explanation: PlannerExplanation) {
    super(message);
    this.explanation = explanation;
  }
}

/** The route recorded on the order: the winning plan, what it allocates, and why it won (no personal data). */
export interface OrderRoute extends Omit<WinningPlan, 'candidateId'> {
  policyVersion: number | null;
  allocations: Allocation[];
  explanation: RecordedExplanation;
}

/** The explanation as the order keeps it: candidates best first then excluded, capped so the order item stays small. */
export interface RecordedExplanation {
  candidates: ExplainedCandidate[];
  candidatesOmitted: number;
  rulesFired: string[];
  /** Set when no policy was saved and the built-in fallback decided. */
  note?: string;
  /** Set while a policy version is staged: which arm decided, and the versions and share of the stage. */
  rollout?: Rollout;
  /** Set when the order referenced a quote: whether its option was shipped, and if not why. */
  quote?: QuoteOutcome;
}
