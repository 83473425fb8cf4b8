/**
 * Routing: chooses one warehouse that can fill the whole order from its free stock.
 * Deliberately simple for now; it never allocates more than a warehouse has free.
 */
import { NoRoute } from './errors.ts';
import type { DeliveryPreference, RoutePlan } from './order.ts';
import type { SkuQuantity, StockRecord } from './stock.ts';

const SERVICE_LEVEL: Record<DeliveryPreference | 'default', string> = {
  fastest: 'EXPRESS',
  cheapest: 'ECONOMY',
  greenest: 'GROUND',
  default: 'STANDARD',
};

export const SANDBOX_CARRIER = 'sandbox';

export function planRoute(
  lines: readonly SkuQuantity[],
  stock: readonly StockRecord[],
  deliveryPreference?: DeliveryPreference,
): RoutePlan {
  const bySku = new Map(stock.map((record) => [record.sku, record]));
  const warehouseIds = [...new Set(stock.flatMap((record) => Object.keys(record.warehouses)))].sort();
  // Smallest headroom after allocation, per candidate: prefer the warehouse left least depleted.
  const candidates = warehouseIds
    .map((warehouseId) => {
      const headroom = lines.map(({ sku, quantity }) => (bySku.get(sku)?.warehouses[warehouseId]?.free ?? 0) - quantity);
      return { warehouseId, headroom: Math.min(...headroom) };
    })
    .filter((candidate) => candidate.headroom >= 0)
    .sort((a, b) => b.headroom - a.headroom || (a.warehouseId < b.warehouseId ? -1 : 1));
  const chosen = candidates[0];
  if (!chosen) throw new NoRoute('No single warehouse has free stock for every line');
  return {
    warehouseId: chosen.warehouseId,
    carrier: SANDBOX_CARRIER,
    serviceLevel: SERVICE_LEVEL[deliveryPreference ?? 'default'],
    allocations: lines.map(({ sku, quantity }) => ({ sku, warehouseId: chosen.warehouseId, quantity })),
  };
}
