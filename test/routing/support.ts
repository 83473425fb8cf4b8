/** Shared fixtures for the routing tests: demo-policy variants and order inputs. */
import { expect } from 'vitest';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import type { ExplainedCandidate, PlannerDecision, RoutingInput } from '../../functions/domain/routing/decision.ts';
import { routingPolicySchema } from '../../functions/domain/routing/routing-policy.ts';
import type { RoutingPolicy, RoutingPolicyDocument } from '../../functions/domain/routing/routing-policy.ts';

export const WAREHOUSES = ['wh-shanghai', 'wh-guangzhou', 'wh-beijing', 'wh-chengdu'] as const;

/** A fresh copy of the demo document to change in a test. */
export function demoDocument(): RoutingPolicyDocument {
  return structuredClone(DEMO_ROUTING_POLICY_DOCUMENT);
}

/** The demo policy after `change`, validated like an operator's PUT would be. */
export function policyWith(change: (doc: RoutingPolicyDocument) => void): RoutingPolicy {
  const doc = demoDocument();
  change(doc);
  return routingPolicySchema.parse(doc);
}

/** The same free units of every SKU at each listed warehouse. */
export function stockAt(skus: readonly string[], free: Partial<Record<string, number>>): RoutingInput['stock'] {
  const perWarehouse = Object.fromEntries(Object.entries(free).filter(([, units]) => units !== undefined)) as Record<
    string,
    number
  >;
  return Object.fromEntries(skus.map((sku) => [sku, perWarehouse]));
}

const PLENTY = Object.fromEntries(WAREHOUSES.map((id) => [id, 100]));

/** A standard customer's order of 2 x plain SKU "A" to Hangzhou, every warehouse stocked; override at will. */
export function order(overrides: Partial<RoutingInput> = {}): RoutingInput {
  return {
    lines: [{ sku: 'A', quantity: 2 }],
    shipTo: { country: 'CN', region: 'Zhejiang', city: 'Hangzhou' },
    customerTier: 'standard',
    stock: stockAt(['A', 'B', 'L', 'F', 'C', 'H'], PLENTY),
    today: '2025-06-01',
    ...overrides,
  };
}

export function to(region: string, city = region): RoutingInput['shipTo'] {
  return { country: 'CN', region, city };
}

export function scored(decision: { candidates: ExplainedCandidate[] }): ExplainedCandidate[] {
  return decision.candidates.filter((c) => c.score !== undefined);
}

export function excluded(decision: { candidates: ExplainedCandidate[] }, reason?: string): ExplainedCandidate[] {
  return decision.candidates.filter((c) => c.excluded && (reason === undefined || c.excluded.reason === reason));
}

export function chosen(decision: PlannerDecision): ExplainedCandidate {
  const candidate = decision.candidates.find((c) => c.id === decision.plan.candidateId);
  expect(candidate, 'the chosen plan is among the candidates').toBeDefined();
  return candidate as ExplainedCandidate;
}

/** The chosen candidate earns the most points on `factor` among the scored candidates. */
export function leadsOn(decision: PlannerDecision, factor: string): void {
  const best = Math.max(...scored(decision).map((c) => c.breakdown?.[factor] ?? 0));
  expect(chosen(decision).breakdown?.[factor]).toBe(best);
}
