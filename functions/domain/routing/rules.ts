/**
 * The policy's rules run over facts about the order (json-rules-engine); their events become
 * effects the candidates must respect. Place facts, and rule values compared with them, are folded.
 */
import { Engine } from 'json-rules-engine';
import type { RuleProperties, TopLevelCondition } from 'json-rules-engine';
import { PLACE_FACTS } from './routing-policy.ts';
import type { RoutingFact, RoutingPolicy, RuleCondition, RuleEvent, TransportMode } from './routing-policy.ts';
import type { RoutingInput } from './decision.ts';
import type { AggregatedLine } from './candidate-plan.ts';
import { round } from './figures.ts';
import { foldPlaceName } from './geography.ts';

// What the rules decided, each effect with the rule that asked for it.
export interface RuleEffects {
  fired: string[];
  requireCarrier: { rule: string; carrier: string; mode?: TransportMode }[];
  excludeCarrier: Map<string, string>;
  requireMode: { rule: string; mode: TransportMode }[];
  excludeWarehouse: Map<string, string>;
  preferWarehouse: Map<string, number>;
  priorityHandling: boolean;
}

export function routingFacts(lines: readonly AggregatedLine[], input: RoutingInput): Record<RoutingFact, unknown> {
  const units = (flag: 'liquid' | 'fragile' | 'coldChain' | 'hazmat') =>
    lines.reduce((sum, line) => sum + (line[flag] ? line.quantity : 0), 0);
  return {
    lineCount: lines.length,
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    liquidItemCount: units('liquid'),
    fragileItemCount: units('fragile'),
    coldChainItemCount: units('coldChain'),
    hazmatItemCount: units('hazmat'),
    totalWeightKg: round(lines.reduce((sum, line) => sum + line.quantity * line.weightGrams, 0) / 1000),
    // Folded, like the rule values compared with them (foldCondition).
    shipToCountry: foldPlaceName(input.shipTo.country),
    shipToRegion: foldPlaceName(input.shipTo.region),
    shipToCity: foldPlaceName(input.shipTo.city),
    customerTier: input.customerTier,
    deliveryPreference: input.deliveryPreference ?? null,
  };
}

const foldValue = (value: unknown): unknown =>
  typeof value === 'string' ? foldPlaceName(value) : Array.isArray(value) ? value.map(foldValue) : value;

// A copy of the condition with the values compared with place facts folded; `{ fact }` values stay.
function foldCondition(node: RuleCondition): RuleCondition {
  if (node.all) return { ...node, all: node.all.map(foldCondition) };
  if (node.any) return { ...node, any: node.any.map(foldCondition) };
  if (node.not) return { ...node, not: foldCondition(node.not) };
  if (node.fact !== undefined && PLACE_FACTS.includes(node.fact)) return { ...node, value: foldValue(node.value) };
  return node;
}

export async function runRules(policy: RoutingPolicy, orderFacts: Record<RoutingFact, unknown>): Promise<RuleEffects> {
  const effects: RuleEffects = {
    fired: [],
    requireCarrier: [],
    excludeCarrier: new Map(),
    requireMode: [],
    excludeWarehouse: new Map(),
    preferWarehouse: new Map(),
    priorityHandling: false,
  };
  if (policy.rules.length === 0) return effects;
  // The schema checked shapes and fact names, so the engine can be strict about undefined facts.
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const [conditionName, condition] of Object.entries(policy.namedConditions)) {
    engine.setCondition(conditionName, foldCondition(condition) as TopLevelCondition);
  }
  for (const rule of policy.rules) {
    engine.addRule({ ...rule, conditions: foldCondition(rule.conditions) } as unknown as RuleProperties);
  }
  const { results } = await engine.run(orderFacts);
  const fired = new Set(results.map((result) => result.name));
  for (const rule of policy.rules) {
    if (!fired.has(rule.name)) continue;
    effects.fired.push(rule.name);
    applyEvent(effects, rule.name, rule.event);
  }
  return effects;
}

function applyEvent(effects: RuleEffects, rule: string, event: RuleEvent): void {
  switch (event.type) {
    case 'require-carrier':
      effects.requireCarrier.push({ rule, ...event.params });
      break;
    case 'exclude-carrier':
      if (!effects.excludeCarrier.has(event.params.carrier)) effects.excludeCarrier.set(event.params.carrier, rule);
      break;
    case 'require-mode':
      effects.requireMode.push({ rule, mode: event.params.mode });
      break;
    case 'exclude-warehouse':
      if (!effects.excludeWarehouse.has(event.params.warehouse)) {
        effects.excludeWarehouse.set(event.params.warehouse, rule);
      }
      break;
    case 'prefer-warehouse': {
      const bonus = effects.preferWarehouse.get(event.params.warehouse) ?? 0;
      effects.preferWarehouse.set(event.params.warehouse, Math.max(bonus, event.params.bonus));
      break;
    }
    case 'priority-handling':
      effects.priorityHandling = true;
      break;
  }
}
