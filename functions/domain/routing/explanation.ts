/**
 * How a decision explains itself: each scored candidate as reported, and the one-line summary
 * of a refusal.
 */
import type { ExplainedCandidate } from './decision.ts';
import type { ScoredCandidate } from './candidate-plan.ts';
import { byString } from './figures.ts';

function uniform<T>(values: readonly T[]): T | undefined {
  return values.every((v) => v === values[0]) ? values[0] : undefined;
}

export function explainedCandidate(s: ScoredCandidate): ExplainedCandidate {
  const candidate: ExplainedCandidate = { id: s.id, warehouseIds: s.parcels.map((p) => p.origin.warehouse.id) };
  const carrier = uniform(s.parcels.map((p) => p.carrierService.carrier.id));
  const mode = uniform(s.parcels.map((p) => p.carrierService.service.mode));
  const serviceLevel = uniform(s.parcels.map((p) => p.carrierService.service.id));
  if (carrier !== undefined) candidate.carrier = carrier;
  if (mode !== undefined) candidate.mode = mode;
  if (serviceLevel !== undefined) candidate.serviceLevel = serviceLevel;
  return { ...candidate, score: s.score, breakdown: s.breakdown, metrics: s.metrics };
}

export function noRouteSummary(candidates: readonly ExplainedCandidate[]): string {
  const counts = new Map<string, number>();
  for (const c of candidates) if (c.excluded) counts.set(c.excluded.reason, (counts.get(c.excluded.reason) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || byString(a, b))
    .map(([reason, n]) => `${reason} ${n}`);
  const excluded = `${candidates.length} candidate(s) excluded (${parts.join(', ')})`;
  return `No warehouse and carrier can serve the order: ${excluded}`;
}
