/**
 * Split plans, searched only when no single warehouse can ship the whole order: as few
 * parcels as possible, each taking its best carrier service.
 */
import type { RoutingInput } from './decision.ts';
import { candidatePlan, plannedParcel, type AggregatedLine, type CandidatePlan, type Origin, type PlannedParcel } from './candidate-plan.ts';
import { serviceExclusion, shippable } from './exclusions.ts';
import { byString } from './figures.ts';
import type { PlanningContext } from './planning-context.ts';
import { rankCandidates } from './scoring.ts';

// Bounds the split search: combinations of warehouses tried per parcel count before falling back to greedy.
const SPLIT_COMBINATIONS_LIMIT = 300;

function* combinations<T>(items: readonly T[], k: number, start = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - k; i++) {
    for (const rest of combinations(items, k - 1, i + 1)) yield [items[i] as T, ...rest];
  }
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

// Warehouse sets that together hold every line, with as few parcels as
// possible. For k = 2, 3, ... parcels: every combination of k of the nearest
// warehouses (at most SPLIT_COMBINATIONS_LIMIT combinations), and when that
// finds nothing, a greedy cover if it needs no more than k warehouses.
function coveringSets(
  origins: readonly Origin[],
  lines: readonly AggregatedLine[],
  input: RoutingInput,
  maxParcels: number,
): Origin[][] {
  const units = (origin: Origin, line: AggregatedLine) => shippable(input, origin.warehouse, line);
  const covers = (set: readonly Origin[]) =>
    lines.every((line) => set.reduce((sum, origin) => sum + units(origin, line), 0) >= line.quantity);
  const greedy = greedyCover(origins, lines, units, maxParcels);
  for (let k = 2; k <= Math.min(maxParcels, origins.length); k++) {
    let nearest = origins.length;
    while (binomial(nearest, k) > SPLIT_COMBINATIONS_LIMIT) nearest--;
    const found = [...combinations(origins.slice(0, nearest), k)].filter(covers);
    if (found.length) return found;
    if (greedy && greedy.length <= k) return [greedy];
  }
  return [];
}

// Repeatedly takes the warehouse that ships the most still-missing units (nearest on ties).
function greedyCover(
  origins: readonly Origin[],
  lines: readonly AggregatedLine[],
  units: (origin: Origin, line: AggregatedLine) => number,
  maxParcels: number,
): Origin[] | undefined {
  const missing = new Map(lines.map((line) => [line.sku, line.quantity]));
  const gain = (origin: Origin) =>
    lines.reduce((sum, line) => sum + Math.min(missing.get(line.sku) ?? 0, units(origin, line)), 0);
  const chosen: Origin[] = [];
  while ([...missing.values()].some((q) => q > 0)) {
    if (chosen.length === maxParcels) return undefined;
    let next: Origin | undefined;
    for (const origin of origins) if (!chosen.includes(origin) && (!next || gain(origin) > gain(next))) next = origin;
    if (!next || gain(next) === 0) return undefined;
    chosen.push(next);
    for (const line of lines) missing.set(line.sku, Math.max(0, (missing.get(line.sku) ?? 0) - units(next, line)));
  }
  return chosen;
}

// Fills lines from the set's warehouses nearest first; a warehouse left with nothing to ship drops out.
function allocate(set: readonly Origin[], lines: readonly AggregatedLine[], input: RoutingInput): { origin: Origin; lines: AggregatedLine[] }[] {
  const parcels = set.map((origin) => ({ origin, lines: [] as AggregatedLine[] }));
  for (const line of lines) {
    let remaining = line.quantity;
    for (const p of parcels) {
      const take = Math.min(remaining, shippable(input, p.origin.warehouse, line));
      if (take > 0) p.lines.push({ ...line, quantity: take });
      remaining -= take;
      if (remaining === 0) break;
    }
  }
  return parcels.filter((p) => p.lines.length > 0);
}

// Split plans over the open warehouses, each parcel with its best service.
export function splitCandidates(run: PlanningContext, origins: readonly Origin[], maxParcels: number): CandidatePlan[] {
  // A warehouse no service can ship from to this destination, whatever the goods (rules, supplier,
  // carrier regions, zone), cannot take part; its whole-order candidates already say why.
  const served = (origin: Origin) => run.carrierServices.some((carrierService) => !serviceExclusion(carrierService, origin, [], run.input, run.effects));
  // Nearest first: the split search keeps to near warehouses when it must bound itself.
  const usable = origins
    .filter((origin) => run.lines.some((line) => shippable(run.input, origin.warehouse, line) > 0) && served(origin))
    .sort((a, b) => a.distanceKm - b.distanceKm || byString(a.warehouse.id, b.warehouse.id));
  const sets = coveringSets(usable, run.lines, run.input, maxParcels);
  if (sets.length === 0 && usable.length > 1) {
    const which = origins.some((origin) => !served(origin)) ? 'open warehouses a carrier can ship from' : 'open warehouses';
    run.exclude(
      'split',
      usable.map((origin) => origin.warehouse.id),
      { reason: 'stock', detail: `No ${maxParcels} or fewer of the ${which} together hold every line` },
    );
  }
  const plans: CandidatePlan[] = [];
  for (const set of sets) {
    const parcels: PlannedParcel[] = [];
    for (const { origin, lines } of allocate(set, run.lines, run.input)) {
      const feasible: CandidatePlan[] = [];
      const refusals: string[] = [];
      for (const carrierService of run.carrierServices) {
        const why = serviceExclusion(carrierService, origin, lines, run.input, run.effects);
        if (why) refusals.push(`${carrierService.carrier.id}/${carrierService.service.id} (${why.reason})`);
        else feasible.push(candidatePlan([plannedParcel(origin, carrierService, lines, run.priorityHandling)]));
      }
      // The parcel takes its best service by the same weights; whole plans are compared afterwards.
      const best = rankCandidates(feasible, { ...run.scoring, preferWarehouse: new Map() })[0];
      if (!best) {
        const ids = set.map((s) => s.warehouse.id);
        const detail = `No service can take the parcel from ${origin.warehouse.id}: ${refusals.join(', ')}`;
        run.exclude(ids.join('+'), ids, { reason: 'no-carrier', detail });
        parcels.length = 0;
        break;
      }
      parcels.push(...best.parcels);
    }
    if (parcels.length) plans.push(candidatePlan(parcels));
  }
  return plans;
}
