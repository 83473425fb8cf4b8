/**
 * The routing policy: one versioned document with the warehouse network,
 * carriers and their rate cards, distance zones, scoring weights, tier policy
 * and rules. Operators replace it as a whole; `routingPolicySchema` refuses an
 * inconsistent document with the path of every problem, so the version in
 * force stays until a valid one arrives.
 *
 * Units: distances in great-circle km, money in integer minor units, item
 * weights in grams, rate cards per started kg, carbon in grams CO2e.
 * Country, region and city names match case-insensitively, in rules too.
 *
 * Rule conditions are checked against what json-rules-engine would do with
 * them: a value the engine would throw on (a number for `in`), match as a
 * substring (a string for `in`), coerce (a string for `lessThan`) or that can
 * never or always hold (a list operator on a single-value fact, an empty
 * `all`/`any`) is refused at its path.
 */
import * as z from 'zod';
import { isTimeZone } from './dates.ts';
import { CUSTOMER_TIERS, DELIVERY_PREFERENCES } from '../vocabulary.ts';

export const TRANSPORT_MODES = ['ground', 'air', 'cold-chain'] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

/**
 * Why routing can exclude a candidate. Listed here rather than in the planner so the event
 * contract can enumerate them without pulling the rules engine into the publisher's bundle.
 */
export const EXCLUSION_REASONS = [
  'destination',
  'rule',
  'region',
  'supplier',
  'capacity',
  'cold-chain',
  'hazmat',
  'stock',
  'product',
  'zone',
  'no-carrier',
] as const;

export const SCORING_FACTORS = ['distance', 'cost', 'speed', 'capacity', 'tier', 'carbon'] as const;
export type ScoringFactor = (typeof SCORING_FACTORS)[number];

/** Facts rule conditions can test; the planner computes every one for every order. Item counts are units. */
export const ROUTING_FACTS = [
  'lineCount',
  'itemCount',
  'liquidItemCount',
  'fragileItemCount',
  'coldChainItemCount',
  'hazmatItemCount',
  'totalWeightKg',
  'shipToCountry',
  'shipToRegion',
  'shipToCity',
  'customerTier',
  'deliveryPreference',
] as const;
export type RoutingFact = (typeof ROUTING_FACTS)[number];

/** Facts holding a place name: the planner compares them, and rule values for them, case-insensitively. */
export const PLACE_FACTS: readonly RoutingFact[] = ['shipToCountry', 'shipToRegion', 'shipToCity'];

// What each fact holds. Every fact is a single value: none is a list.
const FACT_VALUES: Record<RoutingFact, 'number' | 'text' | readonly (string | null)[]> = {
  lineCount: 'number',
  itemCount: 'number',
  liquidItemCount: 'number',
  fragileItemCount: 'number',
  coldChainItemCount: 'number',
  hazmatItemCount: 'number',
  totalWeightKg: 'number',
  shipToCountry: 'text',
  shipToRegion: 'text',
  shipToCity: 'text',
  customerTier: CUSTOMER_TIERS,
  deliveryPreference: [...DELIVERY_PREFERENCES, null],
};

// json-rules-engine's built-in operators and decorators (e.g. `not:in`) that make sense on single-value facts.
const OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;
const DECORATORS = ['not', 'swap', 'someValue', 'everyValue'] as const;
// Built-ins that test a list fact (contains: fact.indexOf(value); someFact: fact.some(...)): they never hold here.
const LIST_FACT_OPERATORS = ['contains', 'doesNotContain'];
const LIST_FACT_DECORATORS = ['someFact', 'everyFact'];
const USE_OPERATORS = `Use one of ${OPERATORS.join(', ')}, optionally behind ${DECORATORS.join(':, ')}:`;
const NUMERIC = new Set<string>(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const EMPTY_LIST = 'List at least one condition: an empty list holds for every order';

function operatorProblem(operator: string): string | undefined {
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  const known = (list: readonly string[], name: string) => list.includes(name);
  const decoratorsKnown = parts.every((d) => known(DECORATORS, d) || known(LIST_FACT_DECORATORS, d));
  if (!decoratorsKnown || !(known(OPERATORS, base) || known(LIST_FACT_OPERATORS, base))) return USE_OPERATORS;
  if (known(LIST_FACT_OPERATORS, base) || parts.some((d) => known(LIST_FACT_DECORATORS, d))) {
    return `${operator} needs a list fact and every routing fact is a single value. ${USE_OPERATORS}`;
  }
  return undefined;
}

// Ids end up in candidate ids joined with '/' and '+', so those characters are kept out.
// Ids key plain objects (stock and capacity per warehouse), so names objects already have are refused.
const id = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'Use 1-64 letters, digits, dots, dashes or underscores')
  .refine((value) => !(value in Object.prototype), 'This name is reserved; choose another');
/** Ids of warehouses, carriers, zones and rules; carrier callbacks name their carrier by it. */
export const policyIdSchema = id;
const name = z.string().trim().min(1).max(100);
const nonNegative = z.number().nonnegative();
const regionList = z.array(name).default([]);

const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const warehouseSchema = z.strictObject({
  id,
  name: name.optional(),
  country: name,
  region: name,
  city: name,
  location: locationSchema,
  /** Parcels the warehouse can dispatch per day; what is used today is runtime input. */
  dailyCapacity: z.number().int().positive(),
  /** Days from order to hand-over to the carrier; priority handling makes it 0. */
  handlingDays: z.number().int().nonnegative().max(30).default(1),
  capabilities: z.strictObject({ coldChain: z.boolean(), hazmat: z.boolean() }),
  /** Regions this warehouse never ships to. */
  excludedRegions: regionList,
  /** Constraints of the supplier whose stock the warehouse holds. */
  supplier: z
    .strictObject({
      id,
      excludedRegions: regionList,
      excludedCarriers: z.array(id).default([]),
    })
    .optional(),
});

const acceptsSchema = z.strictObject({
  fragile: z.boolean(),
  liquid: z.boolean(),
  hazmat: z.boolean(),
  coldChain: z.boolean(),
});

const modeSchema = z.strictObject({
  /** What goods this mode may carry, e.g. air: `{ liquid: false, fragile: false }`. */
  accepts: acceptsSchema,
  carbonGramsPerKgKm: nonNegative,
});

const rateSchema = z.strictObject({
  baseMinor: z.number().int().nonnegative(),
  perKgMinor: z.number().int().nonnegative(),
});

const serviceLevelSchema = z.strictObject({
  id,
  mode: z.enum(TRANSPORT_MODES),
  /** Transit days per zone id; a zone left out is a zone this service does not serve. */
  transitDays: z.record(id, z.number().int().nonnegative().max(60)),
  /** Price per zone id; must cover exactly the zones of `transitDays`. */
  rateCard: z.record(id, rateSchema),
});

const carrierSchema = z.strictObject({
  id,
  name,
  modes: z.partialRecord(z.enum(TRANSPORT_MODES), modeSchema),
  serviceLevels: z.array(serviceLevelSchema).min(1),
  /** Regions the carrier does not serve. */
  excludedRegions: regionList,
});

// A zone covers distances up to `maxKm`; the last zone has no `maxKm` and covers the rest.
const zoneSchema = z.strictObject({
  id,
  maxKm: z.number().positive().optional(),
});

// Where a destination is, for distance: the most specific match wins (city,
// then region, then the country entry without region).
const destinationSchema = z.strictObject({
  country: name,
  region: name.optional(),
  city: name.optional(),
  location: locationSchema,
});

const factorWeights = z.strictObject(
  Object.fromEntries(SCORING_FACTORS.map((factor) => [factor, nonNegative])) as Record<
    ScoringFactor,
    typeof nonNegative
  >,
);

const weightsSchema = z.strictObject({
  factors: factorWeights,
  /** Multiplies factor weights when the order states a delivery preference; unlisted factors keep 1. */
  preferenceMultipliers: z
    .partialRecord(z.enum(DELIVERY_PREFERENCES), z.partialRecord(z.enum(SCORING_FACTORS), nonNegative))
    .default({}),
  /** Score points (out of 100) charged per parcel beyond the first. */
  splitPenalty: nonNegative,
});

const tierSchema = z.strictObject({
  /** Dispatch first: the warehouse's handling days become 0. */
  priorityHandling: z.boolean().default(false),
  /** Delivery days the tier expects; the tier factor falls off for slower plans. */
  targetDeliveryDays: z.number().int().nonnegative().optional(),
});

/** A json-rules-engine condition node: exactly one of all, any, not, condition (a named one) or fact. */
export interface RuleCondition {
  all?: RuleCondition[];
  any?: RuleCondition[];
  not?: RuleCondition;
  condition?: string;
  fact?: RoutingFact;
  operator?: string;
  value?: unknown;
  path?: string;
  params?: Record<string, unknown>;
  name?: string;
  priority?: number;
}

const NODE_FORMS = ['all', 'any', 'not', 'condition', 'fact'] as const;

type Issue = { path: PropertyKey[]; message: string };

// One side of a comparison, as json-rules-engine sees it: a fact's value (the condition's
// own fact, or `{ fact }` in `value`) or a literal. `at` is where a problem with it is reported.
type Side =
  | { kind: 'fact'; fact: RoutingFact; own: boolean; at: PropertyKey[] }
  | { kind: 'literal'; value: unknown; at: PropertyKey[] };

const describeFact = (fact: RoutingFact) => (FACT_VALUES[fact] === 'number' ? 'a number' : 'text');
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
// The condition's own fact is reported at its operator, a `{ fact }` value at value.fact.
const factPath = (side: Side & { kind: 'fact' }) => (side.own ? side.at : [...side.at, 'fact']);

// Why `value` can never be what `fact` holds (=== would never hold, or hold by accident).
function literalProblem(fact: RoutingFact, value: unknown): string | undefined {
  const expected = FACT_VALUES[fact];
  if (expected === 'number') return isNumber(value) ? undefined : `Expected a number: ${fact} is a number`;
  if (expected === 'text') return typeof value === 'string' ? undefined : `Expected a string: ${fact} is text`;
  return expected.includes(value as string | null) ? undefined : `Use one of ${expected.map(String).join(', ')}`;
}

// A list on the right-hand side (in, notIn, someValue, everyValue): only a literal array will do.
function listProblem(name: string, right: Side, example: string): Issue | undefined {
  if (right.kind === 'literal' && Array.isArray(right.value)) return undefined;
  if (right.kind === 'fact' && right.own) {
    const message = `${name} needs a list on its right-hand side, and every routing fact is a single value`;
    return { path: right.at, message };
  }
  return { path: right.at, message: `${name} needs an array of values${example}` };
}

/**
 * Problems of comparing `left` (the fact) with `right` (the value) under `operator`, walking
 * its decorators the way json-rules-engine applies them, outermost first. `name` is the
 * operator as the messages call it: the whole operator, or what a someValue/everyValue
 * applies to each value.
 */
function comparisonIssues(decorators: readonly string[], base: string, name: string, left: Side, right: Side): Issue[] {
  const [decorator, ...rest] = decorators;
  if (decorator === 'not') return comparisonIssues(rest, base, name, left, right);
  if (decorator === 'swap') return comparisonIssues(rest, base, name, right, left);
  if (decorator === 'someValue' || decorator === 'everyValue') {
    const problem = listProblem(name, right, '');
    if (problem) return [problem];
    const values = (right as { value: unknown[] }).value;
    if (values.length === 0) {
      return [{ path: right.at, message: 'An empty list: someValue never holds, everyValue always holds' }];
    }
    const inner = [...rest, base].join(':');
    return values.flatMap((value, i) =>
      comparisonIssues(rest, base, inner, left, { kind: 'literal', value, at: [...right.at, i] }),
    );
  }
  if (base === 'in' || base === 'notIn') {
    const problem = listProblem(name, right, ', e.g. ["Liaoning", "Heilongjiang"]');
    if (problem) return [problem];
    const values = (right as { value: unknown[] }).value;
    if (values.length === 0) return [{ path: right.at, message: 'An empty list: in never holds, notIn always holds' }];
    if (left.kind !== 'fact') return [];
    return values.flatMap((value, i) => {
      const message = literalProblem(left.fact, value);
      return message ? [{ path: [...right.at, i], message }] : [];
    });
  }
  if (NUMERIC.has(base)) {
    // The engine requires a numeric fact (else the condition never holds) and coerces the value.
    return [left, right].flatMap((side): Issue[] => {
      if (side.kind === 'fact') {
        const ok = FACT_VALUES[side.fact] === 'number';
        return ok ? [] : [{ path: factPath(side), message: `${name} compares numbers and ${side.fact} is text` }];
      }
      return isNumber(side.value) ? [] : [{ path: side.at, message: `Expected a number: ${name} compares numbers` }];
    });
  }
  // equal, notEqual: ===
  if (left.kind === 'fact' && right.kind === 'fact') {
    if ((FACT_VALUES[left.fact] === 'number') === (FACT_VALUES[right.fact] === 'number')) return [];
    const [a, b] = left.own ? [left, right] : [right, left];
    const message = `Cannot compare ${a.fact} (${describeFact(a.fact)}) with ${b.fact} (${describeFact(b.fact)})`;
    return [{ path: factPath(b), message }];
  }
  const [fact, literal] = left.kind === 'fact' ? [left, right] : [right, left];
  if (fact.kind !== 'fact' || literal.kind !== 'literal') return [];
  const message = literalProblem(fact.fact, literal.value);
  return message ? [{ path: literal.at, message }] : [];
}

const knownFact = (fact: unknown): fact is RoutingFact => (ROUTING_FACTS as readonly unknown[]).includes(fact);

function factConditionIssues(node: RuleCondition): Issue[] {
  const { fact, operator } = node;
  if (!knownFact(fact) || operator === undefined || operatorProblem(operator) || !('value' in node)) return [];
  const ref = node.value as { fact?: unknown } | null;
  const isRef = ref !== null && typeof ref === 'object' && !Array.isArray(ref) && 'fact' in ref;
  if (isRef && !knownFact(ref.fact)) return [];
  const left: Side = { kind: 'fact', fact, own: true, at: ['operator'] };
  const right: Side =
    isRef && knownFact(ref.fact)
      ? { kind: 'fact', fact: ref.fact, own: false, at: ['value'] }
      : { kind: 'literal', value: node.value, at: ['value'] };
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  return comparisonIssues(parts, base, operator, left, right);
}

const conditionSchema: z.ZodType<RuleCondition> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(conditionSchema).min(1, EMPTY_LIST).optional(),
      any: z.array(conditionSchema).min(1, EMPTY_LIST).optional(),
      not: conditionSchema.optional(),
      condition: name.optional(),
      fact: z.enum(ROUTING_FACTS).optional(),
      operator: z
        .string()
        .superRefine((operator, ctx) => {
          const message = operatorProblem(operator);
          if (message) ctx.addIssue({ code: 'custom', message });
        })
        .optional(),
      value: z.unknown().optional(),
      path: z.string().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      name: z.string().optional(),
      priority: z.number().int().positive().optional(),
    })
    .superRefine((node, ctx) => {
      const add = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      const forms = NODE_FORMS.filter((form) => node[form] !== undefined);
      if (forms.length !== 1) {
        const found = forms.length ? forms.join(', ') : 'none';
        add([], `A condition has exactly one of ${NODE_FORMS.join(', ')}; found ${found}`);
        return;
      }
      if (forms[0] !== 'fact') {
        for (const key of ['operator', 'value', 'path', 'params'] as const) {
          if (node[key] !== undefined) add([key], `Only a fact condition has ${key}`);
        }
        return;
      }
      if (node.operator === undefined) add(['operator'], 'A fact condition needs an operator');
      if (!('value' in node)) add(['value'], 'A fact condition needs a value');
      // A value of { fact } compares with another fact: that one must exist too.
      const ref = node.value as { fact?: unknown } | null;
      if (ref !== null && typeof ref === 'object' && 'fact' in ref && !knownFact(ref.fact)) {
        add(['value', 'fact'], `Unknown fact; use one of ${ROUTING_FACTS.join(', ')}`);
      }
      // The value must suit the fact and the operator, as the engine will evaluate them.
      for (const issue of factConditionIssues(node)) add(issue.path, issue.message);
    }),
  // A name, so that a description of the schema (the OpenAPI document) can refer to this recursive shape.
).meta({ id: 'RoutingRuleCondition' });

// What a rule does when its conditions hold. Requirements add up: two rules
// requiring different carriers leave nothing, and the order gets NoRoute.
const ruleEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('require-carrier'),
    params: z.strictObject({ carrier: id, mode: z.enum(TRANSPORT_MODES).optional() }),
  }),
  z.strictObject({ type: z.literal('exclude-carrier'), params: z.strictObject({ carrier: id }) }),
  z.strictObject({ type: z.literal('exclude-warehouse'), params: z.strictObject({ warehouse: id }) }),
  z.strictObject({
    type: z.literal('prefer-warehouse'),
    /** Score points added to plans shipping from the warehouse. */
    params: z.strictObject({ warehouse: id, bonus: z.number().positive().max(100) }),
  }),
  z.strictObject({ type: z.literal('priority-handling'), params: z.strictObject({}).optional() }),
  z.strictObject({ type: z.literal('require-mode'), params: z.strictObject({ mode: z.enum(TRANSPORT_MODES) }) }),
]);
export type RuleEvent = z.infer<typeof ruleEventSchema>;

const ruleSchema = z
  .strictObject({
    name,
    description: z.string().optional(),
    /** json-rules-engine priority: higher runs first. */
    priority: z.number().int().positive().optional(),
    conditions: conditionSchema,
    event: ruleEventSchema,
  })
  .superRefine((rule, ctx) => {
    // json-rules-engine wants a boolean operator or a named condition at the top.
    if (rule.conditions.fact !== undefined) {
      const message = 'Top-level conditions must be all, any, not or condition';
      ctx.addIssue({ code: 'custom', path: ['conditions'], message });
    }
  });

/** The currency of a policy that states none: the one its rate cards were always documented in (fen, CNY). */
export const DEFAULT_POLICY_CURRENCY = 'CNY';

const policyObject = z.strictObject({
  /** Assigned by the policy store on write; a new document may leave it out. */
  version: z.number().int().positive().optional(),
  description: z.string().trim().min(1).max(1000),
  /**
   * The network's time zone (IANA name): "today", which promised dates count from, is the
   * date there (see `localDate` in dates.ts).
   */
  timeZone: z.string().refine(isTimeZone, 'Use an IANA time zone name, e.g. Asia/Shanghai or UTC').default('UTC'),
  /**
   * The currency of every rate card's minor units (ISO 4217), which quotes answer prices in.
   * Optional so that versions saved before it stay valid; those are read as `DEFAULT_POLICY_CURRENCY`.
   */
  currency: z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as CNY').optional(),
  zones: z.array(zoneSchema).min(1),
  destinations: z.array(destinationSchema).min(1),
  warehouses: z.array(warehouseSchema).min(1),
  carriers: z.array(carrierSchema).min(1),
  /** Grams per unit for lines whose product attributes carry no weight. */
  defaultItemWeightGrams: z.number().positive().default(500),
  /** The most parcels one order may be split into. */
  maxParcels: z.number().int().min(1).max(10).default(3),
  weights: weightsSchema,
  tierPolicy: z.partialRecord(z.enum(CUSTOMER_TIERS), tierSchema).default({}),
  /** Named conditions rules can share with `{ "condition": "<name>" }`. */
  namedConditions: z.record(name, conditionSchema).default({}),
  rules: z.array(ruleSchema).default([]),
});

function duplicates<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: (index: number) => PropertyKey[],
  what: string,
): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    if (seen.has(k)) issues.push({ path: path(index), message: `Duplicate ${what} ${k}` });
    seen.add(k);
  });
  return issues;
}

function zoneIssues(zones: z.infer<typeof policyObject>['zones']): Issue[] {
  const issues = duplicates(zones, (zone) => zone.id, (i) => ['zones', i, 'id'], 'zone');
  zones.forEach((zone, i) => {
    const add = (message: string) => issues.push({ path: ['zones', i, 'maxKm'], message });
    const last = i === zones.length - 1;
    if (last && zone.maxKm !== undefined) add('The last zone has no maxKm: it covers every longer distance');
    if (!last && zone.maxKm === undefined) add('Only the last zone may leave out maxKm');
    const previous = zones[i - 1]?.maxKm;
    if (zone.maxKm !== undefined && previous !== undefined && zone.maxKm <= previous) {
      add(`Zones go from near to far: maxKm must exceed ${previous}`);
    }
  });
  return issues;
}

function carrierIssues(carriers: z.infer<typeof policyObject>['carriers'], zoneIds: Set<string>): Issue[] {
  const issues = duplicates(carriers, (carrier) => carrier.id, (i) => ['carriers', i, 'id'], 'carrier');
  carriers.forEach((carrier, c) => {
    const add = (path: PropertyKey[], message: string) => issues.push({ path: ['carriers', c, ...path], message });
    const levels = carrier.serviceLevels;
    const levelPath = (i: number) => ['carriers', c, 'serviceLevels', i, 'id'];
    issues.push(...duplicates(levels, (level) => level.id, levelPath, 'service level'));
    for (const [mode, spec] of Object.entries(carrier.modes)) {
      if (!levels.some((level) => level.mode === mode)) add(['modes', mode], `No service level uses mode ${mode}`);
      if (spec.accepts.coldChain && mode !== 'cold-chain') {
        add(['modes', mode, 'accepts', 'coldChain'], 'Only the cold-chain mode carries cold-chain goods');
      }
    }
    levels.forEach((level, l) => {
      const at = ['serviceLevels', l];
      if (!carrier.modes[level.mode]) add([...at, 'mode'], `Carrier ${carrier.id} declares no mode ${level.mode}`);
      const transitZones = Object.keys(level.transitDays);
      if (transitZones.length === 0) add([...at, 'transitDays'], 'A service level serves at least one zone');
      for (const zone of transitZones) {
        if (!zoneIds.has(zone)) add([...at, 'transitDays', zone], `Unknown zone ${zone}`);
        if (!level.rateCard[zone]) add([...at, 'rateCard', zone], `No rate for zone ${zone}, which has transit days`);
      }
      for (const zone of Object.keys(level.rateCard)) {
        if (level.transitDays[zone] === undefined) {
          add([...at, 'rateCard', zone], `Rate for zone ${zone}, which has no transit days`);
        }
      }
    });
  });
  return issues;
}

function weightIssues(weights: z.infer<typeof policyObject>['weights']): Issue[] {
  const sum = (multipliers: Partial<Record<ScoringFactor, number>>) =>
    SCORING_FACTORS.reduce((total, factor) => total + weights.factors[factor] * (multipliers[factor] ?? 1), 0);
  if (sum({}) === 0) return [{ path: ['weights', 'factors'], message: 'At least one factor weight must be above zero' }];
  return Object.entries(weights.preferenceMultipliers)
    .filter(([, multipliers]) => sum(multipliers) === 0)
    .map(([preference]) => ({
      path: ['weights', 'preferenceMultipliers', preference],
      message: `The ${preference} multipliers leave every weight at zero`,
    }));
}

function namedConditionRefs(node: RuleCondition, path: PropertyKey[]): { name: string; path: PropertyKey[] }[] {
  if (node.condition !== undefined) return [{ name: node.condition, path: [...path, 'condition'] }];
  if (node.not) return namedConditionRefs(node.not, [...path, 'not']);
  const list = node.all ? 'all' : node.any ? 'any' : undefined;
  if (!list) return [];
  return (node[list] ?? []).flatMap((child, i) => namedConditionRefs(child, [...path, list, i]));
}

function ruleIssues(policy: z.infer<typeof policyObject>): Issue[] {
  const warehouses = new Set(policy.warehouses.map((warehouse) => warehouse.id));
  const carriers = new Map(policy.carriers.map((carrier) => [carrier.id, carrier]));
  const named = new Set(Object.keys(policy.namedConditions));
  const issues = duplicates(policy.rules, (rule) => rule.name, (i) => ['rules', i, 'name'], 'rule name');
  policy.rules.forEach((rule, r) => {
    const params = ['rules', r, 'event', 'params'];
    const { event } = rule;
    if (event.type === 'require-carrier' || event.type === 'exclude-carrier') {
      const carrier = carriers.get(event.params.carrier);
      if (!carrier) issues.push({ path: [...params, 'carrier'], message: `Unknown carrier ${event.params.carrier}` });
      else if (event.type === 'require-carrier' && event.params.mode && !carrier.modes[event.params.mode]) {
        issues.push({ path: [...params, 'mode'], message: `Carrier ${carrier.id} has no mode ${event.params.mode}` });
      }
    }
    const warehouseEvent = event.type === 'exclude-warehouse' || event.type === 'prefer-warehouse';
    if (warehouseEvent && !warehouses.has(event.params.warehouse)) {
      issues.push({ path: [...params, 'warehouse'], message: `Unknown warehouse ${event.params.warehouse}` });
    }
    for (const ref of namedConditionRefs(rule.conditions, ['rules', r, 'conditions'])) {
      if (!named.has(ref.name)) issues.push({ path: ref.path, message: `Unknown named condition ${ref.name}` });
    }
  });
  for (const [conditionName, node] of Object.entries(policy.namedConditions)) {
    for (const ref of namedConditionRefs(node, ['namedConditions', conditionName])) {
      // A named condition referring to another could loop; keep them flat.
      issues.push({ path: ref.path, message: 'A named condition cannot refer to another named condition' });
    }
  }
  return issues;
}

function crossReferenceIssues(policy: z.infer<typeof policyObject>): Issue[] {
  const carriers = new Set(policy.carriers.map((carrier) => carrier.id));
  const issues = [
    ...zoneIssues(policy.zones),
    ...duplicates(policy.warehouses, (warehouse) => warehouse.id, (i) => ['warehouses', i, 'id'], 'warehouse'),
    ...duplicates(
      policy.destinations,
      (d) => [d.country, d.region ?? '', d.city ?? ''].join('/').toLowerCase(),
      (i) => ['destinations', i],
      'destination',
    ),
    ...carrierIssues(policy.carriers, new Set(policy.zones.map((zone) => zone.id))),
    ...weightIssues(policy.weights),
    ...ruleIssues(policy),
  ];
  policy.destinations.forEach((destination, i) => {
    if (destination.city !== undefined && destination.region === undefined) {
      issues.push({ path: ['destinations', i, 'region'], message: 'A destination with a city names its region' });
    }
  });
  policy.warehouses.forEach((warehouse, w) => {
    warehouse.supplier?.excludedCarriers.forEach((carrier, i) => {
      const path = ['warehouses', w, 'supplier', 'excludedCarriers', i];
      if (!carriers.has(carrier)) issues.push({ path, message: `Unknown carrier ${carrier}` });
    });
  });
  return issues;
}

/** One routing policy document, validated in shape and in its cross-references. */
export const routingPolicySchema = policyObject.superRefine((policy, ctx) => {
  for (const issue of crossReferenceIssues(policy)) ctx.addIssue({ code: 'custom', ...issue });
});

export type RoutingPolicy = z.infer<typeof routingPolicySchema>;
/** The document as an operator writes it: defaulted fields may be left out. */
export type RoutingPolicyDocument = z.input<typeof routingPolicySchema>;
export type Warehouse = RoutingPolicy['warehouses'][number];
export type Carrier = RoutingPolicy['carriers'][number];
export type ServiceLevel = Carrier['serviceLevels'][number];
export type Rule = RoutingPolicy['rules'][number];
