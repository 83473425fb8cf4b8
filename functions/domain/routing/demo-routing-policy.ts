/**
 * The demo routing policy: four warehouses across China and four carriers,
 * shaped so that every factor, constraint and rule type decides something.
 * Coordinates are city centres; rates and carbon factors are plausible, not
 * quotes (carbon: air ~0.6, truck ~0.08, refrigerated truck ~0.12, rail
 * ~0.025 g CO2e per kg-km).
 */
import { routingPolicySchema } from './routing-policy.ts';
import type { RoutingPolicy, RoutingPolicyDocument } from './routing-policy.ts';

const ZONES = ['local', 'regional', 'national', 'remote'] as const;
type Zone = (typeof ZONES)[number];

// Transit days and rates for local, regional, national and remote, in that order.
function service(
  id: string,
  mode: 'ground' | 'air' | 'cold-chain',
  days: readonly number[],
  rates: readonly (readonly [base: number, perKg: number])[],
) {
  const transitDays: Partial<Record<Zone, number>> = {};
  const rateCard: Partial<Record<Zone, { baseMinor: number; perKgMinor: number }>> = {};
  ZONES.forEach((zone, i) => {
    const rate = rates[i];
    const day = days[i];
    if (rate === undefined || day === undefined) return;
    transitDays[zone] = day;
    rateCard[zone] = { baseMinor: rate[0], perKgMinor: rate[1] };
  });
  return { id, mode, transitDays, rateCard };
}

const NOTHING_SPECIAL = { fragile: true, liquid: true, hazmat: false, coldChain: false };

export const DEMO_ROUTING_POLICY_DOCUMENT: RoutingPolicyDocument = {
  description: 'Demo network: four warehouses, four carriers, Hainan VIP liquids rule',
  timeZone: 'Asia/Shanghai',
  currency: 'CNY',
  zones: [
    { id: 'local', maxKm: 300 },
    { id: 'regional', maxKm: 1000 },
    { id: 'national', maxKm: 2000 },
    { id: 'remote' },
  ],
  destinations: [
    { country: 'CN', location: { lat: 34.3, lon: 108.9 } },
    { country: 'CN', region: 'Shanghai', location: { lat: 31.23, lon: 121.47 } },
    { country: 'CN', region: 'Zhejiang', location: { lat: 30.27, lon: 120.15 } },
    { country: 'CN', region: 'Jiangsu', location: { lat: 32.06, lon: 118.8 } },
    { country: 'CN', region: 'Anhui', location: { lat: 31.82, lon: 117.23 } },
    { country: 'CN', region: 'Fujian', location: { lat: 26.07, lon: 119.3 } },
    { country: 'CN', region: 'Guangdong', location: { lat: 23.13, lon: 113.26 } },
    { country: 'CN', region: 'Guangdong', city: 'Shenzhen', location: { lat: 22.54, lon: 114.06 } },
    { country: 'CN', region: 'Guangxi', location: { lat: 22.82, lon: 108.32 } },
    { country: 'CN', region: 'Hainan', location: { lat: 20.04, lon: 110.34 } },
    { country: 'CN', region: 'Hainan', city: 'Sanya', location: { lat: 18.25, lon: 109.51 } },
    { country: 'CN', region: 'Beijing', location: { lat: 39.9, lon: 116.41 } },
    { country: 'CN', region: 'Tianjin', location: { lat: 39.34, lon: 117.36 } },
    { country: 'CN', region: 'Hebei', location: { lat: 38.04, lon: 114.51 } },
    { country: 'CN', region: 'Shandong', location: { lat: 36.65, lon: 117.12 } },
    { country: 'CN', region: 'Liaoning', location: { lat: 41.8, lon: 123.43 } },
    { country: 'CN', region: 'Heilongjiang', location: { lat: 45.8, lon: 126.53 } },
    { country: 'CN', region: 'Hubei', location: { lat: 30.59, lon: 114.31 } },
    { country: 'CN', region: 'Hunan', location: { lat: 28.23, lon: 112.94 } },
    { country: 'CN', region: 'Shaanxi', location: { lat: 34.34, lon: 108.94 } },
    { country: 'CN', region: 'Sichuan', location: { lat: 30.57, lon: 104.07 } },
    { country: 'CN', region: 'Chongqing', location: { lat: 29.56, lon: 106.55 } },
    { country: 'CN', region: 'Yunnan', location: { lat: 25.04, lon: 102.71 } },
    { country: 'CN', region: 'Tibet', location: { lat: 29.65, lon: 91.14 } },
    { country: 'CN', region: 'Xinjiang', location: { lat: 43.83, lon: 87.62 } },
  ],
  warehouses: [
    {
      id: 'wh-shanghai',
      name: 'East China hub',
      country: 'CN',
      region: 'Shanghai',
      city: 'Shanghai',
      location: { lat: 31.23, lon: 121.47 },
      dailyCapacity: 5000,
      capabilities: { coldChain: true, hazmat: false },
    },
    {
      id: 'wh-guangzhou',
      name: 'South China hub',
      country: 'CN',
      region: 'Guangdong',
      city: 'Guangzhou',
      location: { lat: 23.13, lon: 113.26 },
      dailyCapacity: 4000,
      capabilities: { coldChain: false, hazmat: false },
    },
    {
      id: 'wh-beijing',
      name: 'North China hub (consignment stock of a dairy supplier)',
      country: 'CN',
      region: 'Beijing',
      city: 'Beijing',
      location: { lat: 39.9, lon: 116.41 },
      dailyCapacity: 3000,
      capabilities: { coldChain: false, hazmat: false },
      supplier: { id: 'north-dairy', excludedRegions: ['Tibet', 'Xinjiang'], excludedCarriers: [] },
    },
    {
      id: 'wh-chengdu',
      name: 'West China hub',
      country: 'CN',
      region: 'Sichuan',
      city: 'Chengdu',
      location: { lat: 30.57, lon: 104.07 },
      dailyCapacity: 1500,
      handlingDays: 2,
      capabilities: { coldChain: false, hazmat: true },
    },
  ],
  carriers: [
    {
      id: 'sf-express',
      name: 'SF Express',
      modes: {
        // No air for liquids or fragile goods.
        air: { accepts: { fragile: false, liquid: false, hazmat: false, coldChain: false }, carbonGramsPerKgKm: 0.6 },
        ground: { accepts: NOTHING_SPECIAL, carbonGramsPerKgKm: 0.08 },
      },
      serviceLevels: [
        service('air-express', 'air', [1, 1, 1, 2], [[1800, 200], [2200, 400], [2600, 800], [3200, 1200]]),
        service('standard', 'ground', [1, 2, 3, 4], [[1200, 100], [1400, 200], [1600, 300], [2000, 500]]),
      ],
    },
    {
      id: 'zto',
      name: 'ZTO Express',
      modes: { ground: { accepts: NOTHING_SPECIAL, carbonGramsPerKgKm: 0.08 } },
      serviceLevels: [service('economy', 'ground', [2, 3, 4, 6], [[600, 50], [700, 100], [800, 150], [1000, 250]])],
      excludedRegions: ['Tibet'],
    },
    {
      id: 'coldlink',
      name: 'ColdLink Logistics',
      modes: {
        'cold-chain': {
          accepts: { fragile: true, liquid: true, hazmat: false, coldChain: true },
          carbonGramsPerKgKm: 0.12,
        },
      },
      // Refrigerated trucks do not run to the far west.
      serviceLevels: [service('chilled', 'cold-chain', [1, 2, 2], [[1500, 300], [2000, 500], [2800, 700]])],
    },
    {
      id: 'green-rail',
      name: 'Green Rail Freight',
      modes: {
        ground: { accepts: { fragile: true, liquid: true, hazmat: true, coldChain: false }, carbonGramsPerKgKm: 0.025 },
      },
      serviceLevels: [service('rail', 'ground', [2, 3, 4, 5], [[900, 80], [1000, 120], [1100, 160], [1300, 220]])],
      // An island: no rail ferry in this network.
      excludedRegions: ['Hainan'],
    },
  ],
  defaultItemWeightGrams: 500,
  maxParcels: 3,
  weights: {
    factors: { distance: 1, cost: 2, speed: 2, capacity: 1, tier: 2, carbon: 1 },
    preferenceMultipliers: {
      fastest: { speed: 4 },
      cheapest: { cost: 4 },
      greenest: { carbon: 6 },
    },
    splitPenalty: 10,
  },
  tierPolicy: {
    standard: {},
    plus: { targetDeliveryDays: 4 },
    vip: { targetDeliveryDays: 2 },
  },
  namedConditions: {
    'hainan-vip-liquids': {
      all: [
        { fact: 'liquidItemCount', operator: 'greaterThanInclusive', value: 3 },
        { fact: 'shipToRegion', operator: 'equal', value: 'Hainan' },
        { fact: 'customerTier', operator: 'equal', value: 'vip' },
      ],
    },
  },
  rules: [
    {
      name: 'hainan-vip-liquids-coldlink',
      description: 'Orders with 3+ liquid items shipping to Hainan for a vip customer go by ColdLink cold chain',
      conditions: { condition: 'hainan-vip-liquids' },
      event: { type: 'require-carrier', params: { carrier: 'coldlink', mode: 'cold-chain' } },
    },
    {
      name: 'hainan-vip-liquids-priority',
      description: '... with priority handling',
      conditions: { condition: 'hainan-vip-liquids' },
      event: { type: 'priority-handling' },
    },
    {
      name: 'heavy-orders-by-ground',
      description: 'Over 30 kg never flies',
      conditions: { all: [{ fact: 'totalWeightKg', operator: 'greaterThan', value: 30 }] },
      event: { type: 'require-mode', params: { mode: 'ground' } },
    },
    {
      name: 'fragile-not-by-zto',
      description: 'Too many breakages with ZTO last peak',
      conditions: { all: [{ fact: 'fragileItemCount', operator: 'greaterThan', value: 0 }] },
      event: { type: 'exclude-carrier', params: { carrier: 'zto' } },
    },
    {
      name: 'northeast-from-beijing',
      description: 'The north-east is served from Beijing when it can',
      conditions: { any: [{ fact: 'shipToRegion', operator: 'in', value: ['Liaoning', 'Heilongjiang'] }] },
      event: { type: 'prefer-warehouse', params: { warehouse: 'wh-beijing', bonus: 15 } },
    },
    {
      name: 'guangzhou-not-for-bulk',
      description: 'South China hub picks single parcels only during its peak: big orders go elsewhere',
      conditions: { all: [{ fact: 'itemCount', operator: 'greaterThanInclusive', value: 100 }] },
      event: { type: 'exclude-warehouse', params: { warehouse: 'wh-guangzhou' } },
    },
  ],
};

/** The demo policy, parsed: module load fails if it ever stops being valid. */
export const DEMO_ROUTING_POLICY: RoutingPolicy = routingPolicySchema.parse(DEMO_ROUTING_POLICY_DOCUMENT);
