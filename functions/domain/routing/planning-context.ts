import type { RoutingInput } from './decision.ts';
import type { AggregatedLine, CarrierService, Exclusion } from './candidate-plan.ts';
import type { RuleEffects } from './rules.ts';
import type { ScoringContext } from './scoring.ts';

// What every step of one planning run needs.
export interface PlanningContext {
  input: RoutingInput;
  lines: AggregatedLine[];
  effects: RuleEffects;
  carrierServices: CarrierService[];
  priorityHandling: boolean;
  scoring: ScoringContext;
  /** Records an excluded candidate. */
  exclude: (id: string, warehouseIds: string[], why: Exclusion, carrierService?: CarrierService) => void;
}
