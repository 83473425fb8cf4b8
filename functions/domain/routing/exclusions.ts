/**
 * The hard constraints: why a warehouse cannot ship the order at all, why it cannot fill it
 * alone, why a carrier service cannot take a parcel, and how many units a warehouse may ship.
 */
import type { Warehouse } from './routing-policy.ts';
import type { RoutingInput } from './decision.ts';
import type { AggregatedLine, CarrierService, Exclusion, Origin } from './candidate-plan.ts';
import { listsPlace } from './geography.ts';
import type { RuleEffects } from './rules.ts';

// Why a warehouse cannot ship this order at all, whatever the lines or carrier.
export function originExclusion(origin: Origin, input: RoutingInput, effects: RuleEffects): Exclusion | undefined {
  const { warehouse } = origin;
  const region = input.shipTo.region;
  const rule = effects.excludeWarehouse.get(warehouse.id);
  if (rule) return { reason: 'rule', detail: `Rule "${rule}" excludes ${warehouse.id}` };
  if (listsPlace(warehouse.excludedRegions, region)) {
    return { reason: 'region', detail: `${warehouse.id} does not ship to ${region}` };
  }
  const { supplier } = warehouse;
  if (supplier && listsPlace(supplier.excludedRegions, region)) {
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

function canHold(warehouse: Warehouse, line: AggregatedLine): boolean {
  return (!line.coldChain || warehouse.capabilities.coldChain) && (!line.hazmat || warehouse.capabilities.hazmat);
}

function freeUnits(input: RoutingInput, sku: string, warehouseId: string): number {
  const free = input.stock[sku]?.[warehouseId] ?? 0;
  return Number.isFinite(free) ? Math.max(0, Math.floor(free)) : 0;
}

// Units a warehouse may ship of a line: its free stock, or none when it lacks the capability the goods need.
export function shippable(input: RoutingInput, warehouse: Warehouse, line: AggregatedLine): number {
  return canHold(warehouse, line) ? freeUnits(input, line.sku, warehouse.id) : 0;
}

// Why a warehouse cannot fill the whole order alone.
export function fillExclusion(origin: Origin, lines: readonly AggregatedLine[], input: RoutingInput): Exclusion | undefined {
  const { warehouse } = origin;
  const skus = (some: AggregatedLine[]) => some.map((line) => line.sku).join(', ');
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

// Why a carrier service cannot take these lines from this origin.
export function serviceExclusion(
  carrierService: CarrierService,
  origin: Origin,
  lines: readonly AggregatedLine[],
  input: RoutingInput,
  effects: RuleEffects,
): Exclusion | undefined {
  const { carrier, service } = carrierService;
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
  const { supplier } = origin.warehouse;
  if (supplier?.excludedCarriers.includes(carrier.id)) {
    return { reason: 'supplier', detail: `Supplier ${supplier.id} at ${origin.warehouse.id} does not use ${carrier.id}` };
  }
  if (listsPlace(carrier.excludedRegions, input.shipTo.region)) {
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
  if (service.transitDays[origin.zone] === undefined) {
    const detail = `${label} does not serve zone ${origin.zone} (${Math.round(origin.distanceKm)} km)`;
    return { reason: 'zone', detail };
  }
  return undefined;
}
