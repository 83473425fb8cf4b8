/**
 * Routing decision time in-process: the demo policy's carriers, rules and
 * zones, with its warehouse list replaced by `warehouses` generated sites
 * spread over China, and orders of `lines` distinct SKUs with liquid and
 * fragile items. Every warehouse holds some of the SKUs and one in ten holds
 * all of them, so each decision checks stock everywhere, excludes most
 * warehouses with a reason and scores the rest against every carrier service.
 */
import { performance } from 'node:perf_hooks';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { planRouting } from '../functions/domain/routing/route-planner.ts';
import type { RoutingInput } from '../functions/domain/routing/decision.ts';
import { routingPolicySchema } from '../functions/domain/routing/routing-policy.ts';
import type { RoutingPolicy } from '../functions/domain/routing/routing-policy.ts';
import { percentile } from './percentile.ts';

export interface RoutingBenchOptions {
  warehouses: number;
  lines: number;
  decisions: number;
}

export interface RoutingBenchResult extends RoutingBenchOptions {
  p50Ms: number;
  p99Ms: number;
  /** Candidates (scored or excluded) in the last decision, to show the work done. */
  candidates: number;
}

const REGIONS = ['Shanghai', 'Zhejiang', 'Guangdong', 'Beijing', 'Sichuan', 'Hubei', 'Shandong', 'Fujian'];

function policyWith(warehouses: number): RoutingPolicy {
  const document = structuredClone(DEMO_ROUTING_POLICY_DOCUMENT);
  document.warehouses = Array.from({ length: warehouses }, (_, i) => ({
    id: `wh-${String(i).padStart(3, '0')}`,
    country: 'CN',
    region: REGIONS[i % REGIONS.length]!,
    city: `City ${i}`,
    location: { lat: 22 + ((i * 7) % 20), lon: 103 + ((i * 11) % 20) },
    dailyCapacity: 1000 + i * 10,
    handlingDays: i % 2,
    capabilities: { coldChain: i % 5 === 0, hazmat: i % 7 === 0 },
    excludedRegions: [],
  }));
  // Rules naming a demo warehouse would point at nothing in the generated network.
  document.rules = (document.rules ?? []).filter((rule) => !JSON.stringify(rule).includes('"wh-'));
  return routingPolicySchema.parse(document);
}

function orderOf(lines: number, warehouseIds: readonly string[], seed: number): RoutingInput {
  const skus = Array.from({ length: lines }, (_, i) => `SKU-${i}`);
  const stock: Record<string, Record<string, number>> = {};
  for (const [s, sku] of skus.entries()) {
    // Every 10th warehouse holds everything; the others hold a rotating half of the SKUs.
    stock[sku] = Object.fromEntries(
      warehouseIds
        .filter((_, w) => w % 10 === seed % 10 || (w + s) % 2 === 0)
        .map((warehouse) => [warehouse, 5 + ((s + seed) % 20)]),
    );
  }
  return {
    lines: skus.map((sku, i) => ({
      sku,
      quantity: 1 + (i % 3),
      attributes: { liquid: i % 4 === 0, fragile: i % 5 === 0, weightGrams: 200 + i * 50 },
    })),
    shipTo: { country: 'CN', region: REGIONS[seed % REGIONS.length]!, city: 'Somewhere' },
    customerTier: seed % 3 === 0 ? 'vip' : 'standard',
    deliveryPreference: (['fastest', 'cheapest', 'greenest'] as const)[seed % 3],
    stock,
    capacityUsedToday: {},
    today: '2026-11-23',
  };
}


export async function measureRoutingDecisions(options: RoutingBenchOptions): Promise<RoutingBenchResult> {
  const policy = policyWith(options.warehouses);
  const warehouseIds = policy.warehouses.map((w) => w.id);
  const inputs = Array.from({ length: 16 }, (_, seed) => orderOf(options.lines, warehouseIds, seed));
  for (const input of inputs) await planRouting(input, policy); // warm-up: JIT and rule compilation

  const times: number[] = [];
  let candidates = 0;
  for (let i = 0; i < options.decisions; i++) {
    const started = performance.now();
    const decision = await planRouting(inputs[i % inputs.length]!, policy);
    times.push(performance.now() - started);
    candidates = decision.candidates.length;
  }
  times.sort((a, b) => a - b);
  return { ...options, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), candidates };
}
