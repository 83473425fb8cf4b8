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
import { Engine } from 'json-rules-engine';
import type { RuleProperties, TopLevelCondition } from 'json-rules-engine';
import { NoRoute } from './errors.ts';
import type { CustomerTier, DeliveryPreference } from './order.ts';
import { PLACE_FACTS, SCORING_FACTORS } from './routing-policy.ts';
import type {
  Carrier,
  EXCLUSION_REASONS,
  RoutingFact,
  RuleCondition,
  RoutingPolicy,
  RuleEvent,
  ScoringFactor,
  ServiceLevel,
  TransportMode,
  Warehouse,
} from './routing-policy.ts';
import type { SkuQuantity } from './stock.ts';

export { localDate } from './dates.ts';

export interface ProductAttributes {
  fragile?: boolean;
  liquid?: boolean;
  coldChain?: boolean;
  hazmat?: boolean;
  weightGrams?: number;
}

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

export interface RoutingPlan {
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

export interface RoutingCandidate {
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
export interface RoutingExplanation {
  /** Null for a policy document the store has not versioned yet. */
  policyVersion: number | null;
  /** Scored candidates best first, then the excluded ones. */
  candidates: RoutingCandidate[];
  /** Names of the rules whose conditions held, in policy order. */
  rulesFired: string[];
}

export interface RoutingDecision extends RoutingExplanation {
  plan: RoutingPlan;
}

/**
 * Nothing can serve the order. Keeps the name `NoRoute`, so workflow Catch
 * clauses and HTTP mapping treat it as one, and carries the explanation for
 * the caller to store on the rejected order.
 */
export class NoRouteWithExplanation extends NoRoute {
  readonly explanation: RoutingExplanation;
  constructor(message: string, explanation: RoutingExplanation) {
    super(message);
    this.explanation = explanation;
  }
}

interface Line {
  sku: string;
  quantity: number;
  fragile: boolean;
  liquid: boolean;
  coldChain: boolean;
  hazmat: boolean;
  weightGrams: number;
}

// A warehouse as seen from this order's destination.
interface Site {
  warehouse: Warehouse;
  distanceKm: number;
  zone: string;
  capacityLeft: number;
  handlingDays: number;
}

interface Offer {
  carrier: Carrier;
  service: ServiceLevel;
}

interface Parcel {
  site: Site;
  offer: Offer;
  lines: Line[];
  costMinor: number;
  carbonGrams: number;
  transitDays: number;
  deliveryDays: number;
}

interface Draft {
  id: string;
  parcels: Parcel[];
  metrics: CandidateMetrics;
}

interface Scored extends Draft {
  score: number;
  breakdown: Record<string, number>;
}

type Exclusion = NonNullable<RoutingCandidate['excluded']>;

// What the rules decided, each effect with the rule that asked for it.
interface RuleEffects {
  fired: string[];
  requireCarrier: { rule: string; carrier: string; mode?: TransportMode }[];
  excludeCarrier: Map<string, string>;
  requireMode: { rule: string; mode: TransportMode }[];
  excludeWarehouse: Map<string, string>;
  preferWarehouse: Map<string, number>;
  priorityHandling: boolean;
}

// Bounds the split search: combinations of warehouses tried per parcel count before falling back to greedy.
const SPLIT_COMBINATIONS_LIMIT = 300;
// About the smallest difference that matters, per "lower is better" factor (see the module comment).
const SMOOTHING = { distance: 50, cost: 100, speed: 1, carbon: 10 } as const;
const EARTH_RADIUS_KM = 6371;

// How place names are compared everywhere, rules included.
const fold = (name: string) => name.trim().toLowerCase();
const same = (a: string, b: string) => fold(a) === fold(b);
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function aggregate(lines: readonly RoutingLine[], defaultWeightGrams: number): Line[] {
  if (lines.length === 0) throw new RangeError('An order to route has at least one line');
  const bySku = new Map<string, Line>();
  for (const { sku, quantity, attributes = {} } of lines) {
    if (!Number.isInteger(quantity) || quantity <= 0) {
      throw new RangeError(`Quantity of ${sku} must be a positive integer`);
    }
    const line = bySku.get(sku);
    // Attribute flags are sticky: if any line of a SKU says liquid, every unit is treated as liquid.
    bySku.set(sku, {
      sku,
      quantity: (line?.quantity ?? 0) + quantity,
      fragile: Boolean(line?.fragile || attributes.fragile),
      liquid: Boolean(line?.liquid || attributes.liquid),
      coldChain: Boolean(line?.coldChain || attributes.coldChain),
      hazmat: Boolean(line?.hazmat || attributes.hazmat),
      weightGrams: Math.max(line?.weightGrams ?? 0, attributes.weightGrams ?? defaultWeightGrams),
    });
  }
  return [...bySku.values()].sort((a, b) => byString(a.sku, b.sku));
}

// Milliseconds since the epoch at the start of an ISO date (UTC); calendar days, no business calendar.
function dayNumber(isoDate: string): number {
  const start = /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? Date.parse(`${isoDate}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(start)) throw new RangeError(`today must be an ISO date (YYYY-MM-DD), got ${isoDate}`);
  return start;
}

function addDays(isoDate: string, days: number): string {
  return new Date(dayNumber(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}

function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function findDestination(policy: RoutingPolicy, shipTo: RoutingInput['shipTo']) {
  const inCountry = policy.destinations.filter((d) => same(d.country, shipTo.country));
  return (
    inCountry.find((d) => d.city !== undefined && same(d.city, shipTo.city) && same(d.region ?? '', shipTo.region)) ??
    inCountry.find((d) => d.city === undefined && d.region !== undefined && same(d.region, shipTo.region)) ??
    inCountry.find((d) => d.region === undefined)
  );
}

function zoneOf(policy: RoutingPolicy, distanceKm: number): string {
  // The schema guarantees the last zone is unbounded.
  const zone = policy.zones.find((z) => z.maxKm === undefined || distanceKm <= z.maxKm) ?? policy.zones.at(-1);
  return zone?.id ?? '';
}

function facts(lines: readonly Line[], input: RoutingInput): Record<RoutingFact, unknown> {
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
    shipToCountry: fold(input.shipTo.country),
    shipToRegion: fold(input.shipTo.region),
    shipToCity: fold(input.shipTo.city),
    customerTier: input.customerTier,
    deliveryPreference: input.deliveryPreference ?? null,
  };
}

const foldValue = (value: unknown): unknown =>
  typeof value === 'string' ? fold(value) : Array.isArray(value) ? value.map(foldValue) : value;

// A copy of the condition with the values compared with place facts folded; `{ fact }` values stay.
function foldCondition(node: RuleCondition): RuleCondition {
  if (node.all) return { ...node, all: node.all.map(foldCondition) };
  if (node.any) return { ...node, any: node.any.map(foldCondition) };
  if (node.not) return { ...node, not: foldCondition(node.not) };
  if (node.fact !== undefined && PLACE_FACTS.includes(node.fact)) return { ...node, value: foldValue(node.value) };
  return node;
}

async function runRules(policy: RoutingPolicy, orderFacts: Record<RoutingFact, unknown>): Promise<RuleEffects> {
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

function listed(regions: readonly string[], region: string): boolean {
  return regions.some((r) => same(r, region));
}

// Why a warehouse cannot ship this order at all, whatever the lines or carrier.
function siteExclusion(site: Site, input: RoutingInput, effects: RuleEffects): Exclusion | undefined {
  const { warehouse } = site;
  const region = input.shipTo.region;
  const rule = effects.excludeWarehouse.get(warehouse.id);
  if (rule) return { reason: 'rule', detail: `Rule "${rule}" excludes ${warehouse.id}` };
  if (listed(warehouse.excludedRegions, region)) {
    return { reason: 'region', detail: `${warehouse.id} does not ship to ${region}` };
  }
  const { supplier } = warehouse;
  if (supplier && listed(supplier.excludedRegions, region)) {
    const detail = `Supplier ${supplier.id} at ${warehouse.id} does not allow shipping to ${region}`;
    return { reason: 'supplier', detail };
  }
  const used = Math.max(0, input.capacityUsedToday?.[warehouse.id] ?? 0);
  if (used + 1 > warehouse.dailyCapacity) {
    const detail = `${warehouse.id} has dispatched ${used} of ${warehouse.dailyCapacity} parcels today`;
    return { reason: 'capacity', detail };
  }
  return undefined;
}

function canHold(warehouse: Warehouse, line: Line): boolean {
  return (!line.coldChain || warehouse.capabilities.coldChain) && (!line.hazmat || warehouse.capabilities.hazmat);
}

function freeUnits(input: RoutingInput, sku: string, warehouseId: string): number {
  const free = input.stock[sku]?.[warehouseId] ?? 0;
  return Number.isFinite(free) ? Math.max(0, Math.floor(free)) : 0;
}

// Units a warehouse may ship of a line: its free stock, or none when it lacks the capability the goods need.
function shippable(input: RoutingInput, warehouse: Warehouse, line: Line): number {
  return canHold(warehouse, line) ? freeUnits(input, line.sku, warehouse.id) : 0;
}

// Why a warehouse cannot fill the whole order alone.
function fillExclusion(site: Site, lines: readonly Line[], input: RoutingInput): Exclusion | undefined {
  const { warehouse } = site;
  const skus = (some: Line[]) => some.map((line) => line.sku).join(', ');
  const cold = lines.filter((line) => line.coldChain && !warehouse.capabilities.coldChain);
  if (cold.length) return { reason: 'cold-chain', detail: `${warehouse.id} has no cold chain for ${skus(cold)}` };
  const hazmat = lines.filter((line) => line.hazmat && !warehouse.capabilities.hazmat);
  if (hazmat.length) return { reason: 'hazmat', detail: `${warehouse.id} cannot handle hazmat ${skus(hazmat)}` };
  const short = lines
    .map((line) => ({ line, free: freeUnits(input, line.sku, warehouse.id) }))
    .filter(({ line, free }) => free < line.quantity);
  if (short.length) {
    const detail = short.map(({ line, free }) => `${line.sku} ${free} free of ${line.quantity}`).join('; ');
    return { reason: 'stock', detail: `${warehouse.id}: ${detail}` };
  }
  return undefined;
}

const ATTRIBUTES = [
  ['liquid', 'liquid'],
  ['fragile', 'fragile'],
  ['hazmat', 'hazmat'],
  ['coldChain', 'cold-chain'],
] as const;

// Why a carrier service cannot take these lines from this site.
function offerExclusion(
  offer: Offer,
  site: Site,
  lines: readonly Line[],
  input: RoutingInput,
  effects: RuleEffects,
): Exclusion | undefined {
  const { carrier, service } = offer;
  const label = `${carrier.id}/${service.id}`;
  const excludedBy = effects.excludeCarrier.get(carrier.id);
  if (excludedBy) return { reason: 'rule', detail: `Rule "${excludedBy}" excludes carrier ${carrier.id}` };
  for (const required of effects.requireCarrier) {
    if (carrier.id !== required.carrier || (required.mode && service.mode !== required.mode)) {
      const what = required.mode ? `${required.carrier} by ${required.mode}` : required.carrier;
      return { reason: 'rule', detail: `Rule "${required.rule}" requires ${what}` };
    }
  }
  for (const required of effects.requireMode) {
    if (service.mode !== required.mode) {
      return { reason: 'rule', detail: `Rule "${required.rule}" requires mode ${required.mode}` };
    }
  }
  const { supplier } = site.warehouse;
  if (supplier?.excludedCarriers.includes(carrier.id)) {
    return { reason: 'supplier', detail: `Supplier ${supplier.id} at ${site.warehouse.id} does not use ${carrier.id}` };
  }
  if (listed(carrier.excludedRegions, input.shipTo.region)) {
    return { reason: 'region', detail: `${carrier.id} does not serve ${input.shipTo.region}` };
  }
  const accepts = carrier.modes[service.mode]?.accepts;
  for (const [flag, word] of ATTRIBUTES) {
    const refused = lines.filter((line) => line[flag] && !accepts?.[flag]);
    if (refused.length) {
      const skus = refused.map((line) => line.sku).join(', ');
      return { reason: 'product', detail: `${label} (${service.mode}) does not carry ${word} goods: ${skus}` };
    }
  }
  if (service.transitDays[site.zone] === undefined) {
    const detail = `${label} does not serve zone ${site.zone} (${Math.round(site.distanceKm)} km)`;
    return { reason: 'zone', detail };
  }
  return undefined;
}

function parcel(site: Site, offer: Offer, lines: Line[], priorityHandling: boolean): Parcel {
  const { service, carrier } = offer;
  const weightKg = lines.reduce((sum, line) => sum + line.quantity * line.weightGrams, 0) / 1000;
  const rate = service.rateCard[site.zone] ?? { baseMinor: 0, perKgMinor: 0 };
  const transitDays = service.transitDays[site.zone] ?? 0;
  const carbonPerKgKm = carrier.modes[service.mode]?.carbonGramsPerKgKm ?? 0;
  return {
    site,
    offer,
    lines,
    // Billed per started kilogram.
    costMinor: rate.baseMinor + rate.perKgMinor * Math.max(1, Math.ceil(weightKg - 1e-9)),
    carbonGrams: Math.round(weightKg * site.distanceKm * carbonPerKgKm),
    transitDays,
    deliveryDays: (priorityHandling ? 0 : site.handlingDays) + transitDays,
  };
}

function draft(parcels: Parcel[]): Draft {
  const id = parcels.map((p) => `${p.site.warehouse.id}/${p.offer.carrier.id}/${p.offer.service.id}`).join('+');
  return {
    id,
    parcels,
    metrics: {
      distanceKm: round(Math.max(...parcels.map((p) => p.site.distanceKm)), 1),
      costMinor: parcels.reduce((sum, p) => sum + p.costMinor, 0),
      deliveryDays: Math.max(...parcels.map((p) => p.deliveryDays)),
      carbonGrams: parcels.reduce((sum, p) => sum + p.carbonGrams, 0),
      capacityLeft: round(Math.min(...parcels.map((p) => p.site.capacityLeft)), 4),
    },
  };
}

// Factor weights times the preference's multipliers, scaled to sum to 1.
function effectiveWeights(policy: RoutingPolicy, preference?: DeliveryPreference): Record<ScoringFactor, number> {
  const multipliers = preference ? (policy.weights.preferenceMultipliers[preference] ?? {}) : {};
  const raw = SCORING_FACTORS.map((factor) => policy.weights.factors[factor] * (multipliers[factor] ?? 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const scaled = SCORING_FACTORS.map((factor, i) => [factor, total > 0 ? (raw[i] ?? 0) / total : 0]);
  return Object.fromEntries(scaled) as Record<ScoringFactor, number>;
}

interface ScoringContext {
  weights: Record<ScoringFactor, number>;
  targetDeliveryDays: number | undefined;
  splitPenalty: number;
  preferWarehouse: Map<string, number>;
}

// Scores drafts against each other (they share the normalization) and sorts them best first.
function score(drafts: readonly Draft[], ctx: ScoringContext): Scored[] {
  if (drafts.length === 0) return [];
  const best = (key: 'distanceKm' | 'costMinor' | 'deliveryDays' | 'carbonGrams') =>
    Math.min(...drafts.map((d) => d.metrics[key]));
  const bests = {
    distance: best('distanceKm'),
    cost: best('costMinor'),
    speed: best('deliveryDays'),
    carbon: best('carbonGrams'),
  };
  const closeness = (value: number, factor: keyof typeof SMOOTHING) =>
    (bests[factor] + SMOOTHING[factor]) / (value + SMOOTHING[factor]);
  const target = ctx.targetDeliveryDays;
  const scored = drafts.map((d): Scored => {
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
    const bonuses = d.parcels.map((p) => ctx.preferWarehouse.get(p.site.warehouse.id) ?? 0);
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

function uniform<T>(values: readonly T[]): T | undefined {
  return values.every((v) => v === values[0]) ? values[0] : undefined;
}

function scoredCandidate(s: Scored): RoutingCandidate {
  const candidate: RoutingCandidate = { id: s.id, warehouseIds: s.parcels.map((p) => p.site.warehouse.id) };
  const carrier = uniform(s.parcels.map((p) => p.offer.carrier.id));
  const mode = uniform(s.parcels.map((p) => p.offer.service.mode));
  const serviceLevel = uniform(s.parcels.map((p) => p.offer.service.id));
  if (carrier !== undefined) candidate.carrier = carrier;
  if (mode !== undefined) candidate.mode = mode;
  if (serviceLevel !== undefined) candidate.serviceLevel = serviceLevel;
  return { ...candidate, score: s.score, breakdown: s.breakdown, metrics: s.metrics };
}

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
  sites: readonly Site[],
  lines: readonly Line[],
  input: RoutingInput,
  maxParcels: number,
): Site[][] {
  const units = (site: Site, line: Line) => shippable(input, site.warehouse, line);
  const covers = (set: readonly Site[]) =>
    lines.every((line) => set.reduce((sum, site) => sum + units(site, line), 0) >= line.quantity);
  const greedy = greedyCover(sites, lines, units, maxParcels);
  for (let k = 2; k <= Math.min(maxParcels, sites.length); k++) {
    let nearest = sites.length;
    while (binomial(nearest, k) > SPLIT_COMBINATIONS_LIMIT) nearest--;
    const found = [...combinations(sites.slice(0, nearest), k)].filter(covers);
    if (found.length) return found;
    if (greedy && greedy.length <= k) return [greedy];
  }
  return [];
}

// Repeatedly takes the warehouse that ships the most still-missing units (nearest on ties).
function greedyCover(
  sites: readonly Site[],
  lines: readonly Line[],
  units: (site: Site, line: Line) => number,
  maxParcels: number,
): Site[] | undefined {
  const missing = new Map(lines.map((line) => [line.sku, line.quantity]));
  const gain = (site: Site) =>
    lines.reduce((sum, line) => sum + Math.min(missing.get(line.sku) ?? 0, units(site, line)), 0);
  const chosen: Site[] = [];
  while ([...missing.values()].some((q) => q > 0)) {
    if (chosen.length === maxParcels) return undefined;
    let next: Site | undefined;
    for (const site of sites) if (!chosen.includes(site) && (!next || gain(site) > gain(next))) next = site;
    if (!next || gain(next) === 0) return undefined;
    chosen.push(next);
    for (const line of lines) missing.set(line.sku, Math.max(0, (missing.get(line.sku) ?? 0) - units(next, line)));
  }
  return chosen;
}

// Fills lines from the set's warehouses nearest first; a warehouse left with nothing to ship drops out.
function allocate(set: readonly Site[], lines: readonly Line[], input: RoutingInput): { site: Site; lines: Line[] }[] {
  const parcels = set.map((site) => ({ site, lines: [] as Line[] }));
  for (const line of lines) {
    let remaining = line.quantity;
    for (const p of parcels) {
      const take = Math.min(remaining, shippable(input, p.site.warehouse, line));
      if (take > 0) p.lines.push({ ...line, quantity: take });
      remaining -= take;
      if (remaining === 0) break;
    }
  }
  return parcels.filter((p) => p.lines.length > 0);
}

function summarize(candidates: readonly RoutingCandidate[]): string {
  const counts = new Map<string, number>();
  for (const c of candidates) if (c.excluded) counts.set(c.excluded.reason, (counts.get(c.excluded.reason) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || byString(a, b))
    .map(([reason, n]) => `${reason} ${n}`);
  const excluded = `${candidates.length} candidate(s) excluded (${parts.join(', ')})`;
  return `No warehouse and carrier can serve the order: ${excluded}`;
}

// What every step of one planning run needs.
interface Run {
  input: RoutingInput;
  lines: Line[];
  effects: RuleEffects;
  offers: Offer[];
  priorityHandling: boolean;
  scoring: ScoringContext;
  /** Records an excluded candidate. */
  exclude: (id: string, warehouseIds: string[], why: Exclusion, offer?: Offer) => void;
}

// Every open warehouse that holds the whole order, paired with every service.
function singleCandidates(run: Run, sites: readonly Site[]): Draft[] {
  const drafts: Draft[] = [];
  for (const site of sites) {
    const id = site.warehouse.id;
    const unfilled = fillExclusion(site, run.lines, run.input);
    if (unfilled) {
      run.exclude(id, [id], unfilled);
      continue;
    }
    for (const offer of run.offers) {
      const why = offerExclusion(offer, site, run.lines, run.input, run.effects);
      if (why) run.exclude(`${id}/${offer.carrier.id}/${offer.service.id}`, [id], why, offer);
      else drafts.push(draft([parcel(site, offer, run.lines, run.priorityHandling)]));
    }
  }
  return drafts;
}

// Split plans over the open warehouses, each parcel with its best service.
function splitCandidates(run: Run, sites: readonly Site[], maxParcels: number): Draft[] {
  // A warehouse no service can ship from to this destination, whatever the goods (rules, supplier,
  // carrier regions, zone), cannot take part; its whole-order candidates already say why.
  const served = (site: Site) => run.offers.some((offer) => !offerExclusion(offer, site, [], run.input, run.effects));
  // Nearest first: the split search keeps to near warehouses when it must bound itself.
  const usable = sites
    .filter((site) => run.lines.some((line) => shippable(run.input, site.warehouse, line) > 0) && served(site))
    .sort((a, b) => a.distanceKm - b.distanceKm || byString(a.warehouse.id, b.warehouse.id));
  const sets = coveringSets(usable, run.lines, run.input, maxParcels);
  if (sets.length === 0 && usable.length > 1) {
    const which = sites.some((site) => !served(site)) ? 'open warehouses a carrier can ship from' : 'open warehouses';
    run.exclude(
      'split',
      usable.map((site) => site.warehouse.id),
      { reason: 'stock', detail: `No ${maxParcels} or fewer of the ${which} together hold every line` },
    );
  }
  const drafts: Draft[] = [];
  for (const set of sets) {
    const parcels: Parcel[] = [];
    for (const { site, lines } of allocate(set, run.lines, run.input)) {
      const feasible: Draft[] = [];
      const refusals: string[] = [];
      for (const offer of run.offers) {
        const why = offerExclusion(offer, site, lines, run.input, run.effects);
        if (why) refusals.push(`${offer.carrier.id}/${offer.service.id} (${why.reason})`);
        else feasible.push(draft([parcel(site, offer, lines, run.priorityHandling)]));
      }
      // The parcel takes its best service by the same weights; whole plans are compared afterwards.
      const best = score(feasible, { ...run.scoring, preferWarehouse: new Map() })[0];
      if (!best) {
        const ids = set.map((s) => s.warehouse.id);
        const detail = `No service can take the parcel from ${site.warehouse.id}: ${refusals.join(', ')}`;
        run.exclude(ids.join('+'), ids, { reason: 'no-carrier', detail });
        parcels.length = 0;
        break;
      }
      parcels.push(...best.parcels);
    }
    if (parcels.length) drafts.push(draft(parcels));
  }
  return drafts;
}

function toPlan(winner: Scored, today: string, priorityHandling: boolean): RoutingPlan {
  return {
    candidateId: winner.id,
    parcels: winner.parcels.map((p) => ({
      warehouseId: p.site.warehouse.id,
      carrier: p.offer.carrier.id,
      mode: p.offer.service.mode,
      serviceLevel: p.offer.service.id,
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

/**
 * Plans how to ship an order under `policy` and explains the choice.
 * Never allocates more than a warehouse's free units. Throws
 * NoRouteWithExplanation (a NoRoute) when nothing can serve the order,
 * RangeError on malformed input (no lines, non-positive quantity, bad date).
 */
export async function planRouting(input: RoutingInput, policy: RoutingPolicy): Promise<RoutingDecision> {
  const lines = aggregate(input.lines, policy.defaultItemWeightGrams);
  dayNumber(input.today); // a bad date fails before any work
  const destination = findDestination(policy, input.shipTo);
  const effects = await runRules(policy, facts(lines, input));
  const policyVersion = policy.version ?? null;
  const noRoute = (candidates: RoutingCandidate[]) =>
    new NoRouteWithExplanation(summarize(candidates), { policyVersion, candidates, rulesFired: effects.fired });

  if (!destination) {
    const where = [input.shipTo.country, input.shipTo.region, input.shipTo.city].join('/');
    const detail = `The policy has no location for ${where}`;
    const reason = 'destination';
    throw noRoute(policy.warehouses.map((w) => ({ id: w.id, warehouseIds: [w.id], excluded: { reason, detail } })));
  }

  const tier = policy.tierPolicy[input.customerTier];
  const excluded: RoutingCandidate[] = [];
  const run: Run = {
    input,
    lines,
    effects,
    offers: policy.carriers.flatMap((carrier) => carrier.serviceLevels.map((service) => ({ carrier, service }))),
    priorityHandling: effects.priorityHandling || Boolean(tier?.priorityHandling),
    scoring: {
      weights: effectiveWeights(policy, input.deliveryPreference),
      targetDeliveryDays: tier?.targetDeliveryDays,
      splitPenalty: policy.weights.splitPenalty,
      preferWarehouse: effects.preferWarehouse,
    },
    exclude: (id, warehouseIds, why, offer) => {
      const service = offer && { carrier: offer.carrier.id, mode: offer.service.mode, serviceLevel: offer.service.id };
      excluded.push({ id, warehouseIds, ...service, excluded: why });
    },
  };

  const open: Site[] = [];
  for (const warehouse of policy.warehouses) {
    const distanceKm = greatCircleKm(warehouse.location, destination.location);
    const used = Math.max(0, input.capacityUsedToday?.[warehouse.id] ?? 0);
    const site: Site = {
      warehouse,
      distanceKm,
      zone: zoneOf(policy, distanceKm),
      capacityLeft: Math.max(0, (warehouse.dailyCapacity - used - 1) / warehouse.dailyCapacity),
      handlingDays: warehouse.handlingDays,
    };
    const why = siteExclusion(site, input, effects);
    if (why) run.exclude(warehouse.id, [warehouse.id], why);
    else open.push(site);
  }

  const singles = singleCandidates(run, open);
  // Carrier constraints differ per parcel (zone by warehouse, the warehouse's supplier, the goods in
  // the parcel), so a warehouse holding the whole order may have no service for it while a split
  // from other warehouses has one: search splits whenever no whole-order candidate survives.
  const split = singles.length === 0 && policy.maxParcels > 1;
  const drafts = split ? splitCandidates(run, open, policy.maxParcels) : singles;
  const ranked = score(drafts, run.scoring);
  const candidates = [...ranked.map(scoredCandidate), ...excluded];
  const winner = ranked[0];
  if (!winner) throw noRoute(candidates);
  return {
    policyVersion,
    plan: toPlan(winner, input.today, run.priorityHandling),
    candidates,
    rulesFired: effects.fired,
  };
}
