import { candidatePlan, plannedParcel, type CandidatePlan, type Origin } from './candidate-plan.ts';
import { fillExclusion, serviceExclusion } from './exclusions.ts';
import type { PlanningContext } from './planning-context.ts';

// Every open warehouse that holds the whole order, paired with every service.
export function wholeOrderCandidates(run: PlanningContext, origins: readonly Origin[]): CandidatePlan[] {
  const plans: CandidatePlan[] = [];
  for (const origin of origins) {
    const id = origin.warehouse.id;
    const unfilled = fillExclusion(origin, run.lines, run.input);
    if (unfilled) {
      run.exclude(id, [id], unfilled);
      continue;
    }
    for (const carrierService of run.carrierServices) {
      const why = serviceExclusion(carrierService, origin, run.lines, run.input, run.effects);
      if (why) run.exclude(`${id}/${carrierService.carrier.id}/${carrierService.service.id}`, [id], why, carrierService);
      else plans.push(candidatePlan([plannedParcel(origin, carrierService, run.lines, run.priorityHandling)]));
    }
  }
  return plans;
}
