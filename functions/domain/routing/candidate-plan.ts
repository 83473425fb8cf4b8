/**
 * A candidate of a routing run: the order's lines aggregated per SKU, the warehouses as origins
 * seen from the destination, carrier services, and the parcels a candidate ships with its figures.
 */
import type { Carrier, ServiceLevel, Warehouse } from './routing-policy.ts';
import type { CandidateMetrics, ExplainedCandidate, RoutingLine } from './decision.ts';
import { byString, round } from './figures.ts';

export interface AggregatedLine {
  sku: string;
  quantity: number;
  fragile: boolean;
  liquid: boolean;
  coldChain: boolean;
  hazmat: boolean;
  weightGrams: number;
}

// A warehouse as seen from this order's destination.
export interface Origin {
  warehouse: Warehouse;
  distanceKm: number;
  zone: string;
  capacityLeft: number;
  handlingDays: number;
}

// A carrier with one of its service levels.
export interface CarrierService {
  carrier: Carrier;
  service: ServiceLevel;
}

export interface PlannedParcel {
  origin: Origin;
  carrierService: CarrierService;
  lines: AggregatedLine[];
  costMinor: number;
  carbonGrams: number;
  transitDays: number;
  deliveryDays: number;
}

export interface CandidatePlan {
  id: string;
  parcels: PlannedParcel[];
  metrics: CandidateMetrics;
}

export interface ScoredCandidate extends CandidatePlan {
  score: number;
  breakdown: Record<string, number>;
}

export type Exclusion = NonNullable<ExplainedCandidate['excluded']>;

export function aggregate(lines: readonly RoutingLine[], defaultWeightGrams: number): AggregatedLine[] {
  if (lines.length === 0) throw new RangeError('An order to route has at least one line');
  const bySku = new Map<string, AggregatedLine>();
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

export function plannedParcel(origin: Origin, carrierService: CarrierService, lines: AggregatedLine[], priorityHandling: boolean): PlannedParcel {
  const { service, carrier } = carrierService;
  const weightKg = lines.reduce((sum, line) => sum + line.quantity * line.weightGrams, 0) / 1000;
  const rate = service.rateCard[origin.zone] ?? { baseMinor: 0, perKgMinor: 0 };
  const transitDays = service.transitDays[origin.zone] ?? 0;
  const carbonPerKgKm = carrier.modes[service.mode]?.carbonGramsPerKgKm ?? 0;
  return {
    origin,
    carrierService,
    lines,
    // Billed per started kilogram.
    costMinor: rate.baseMinor + rate.perKgMinor * Math.max(1, Math.ceil(weightKg - 1e-9)),
    carbonGrams: Math.round(weightKg * origin.distanceKm * carbonPerKgKm),
    transitDays,
    deliveryDays: (priorityHandling ? 0 : origin.handlingDays) + transitDays,
  };
}

export function candidatePlan(parcels: PlannedParcel[]): CandidatePlan {
  const id = parcels.map((p) => `${p.origin.warehouse.id}/${p.carrierService.carrier.id}/${p.carrierService.service.id}`).join('+');
  return {
    id,
    parcels,
    metrics: {
      distanceKm: round(Math.max(...parcels.map((p) => p.origin.distanceKm)), 1),
      costMinor: parcels.reduce((sum, p) => sum + p.costMinor, 0),
      deliveryDays: Math.max(...parcels.map((p) => p.deliveryDays)),
      carbonGrams: parcels.reduce((sum, p) => sum + p.carbonGrams, 0),
      capacityLeft: round(Math.min(...parcels.map((p) => p.origin.capacityLeft)), 4),
    },
  };
}
