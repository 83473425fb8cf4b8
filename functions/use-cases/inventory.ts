import { UnknownSku } from '../domain/errors.ts';
import type { SkuStock } from '../domain/stock.ts';
import type { Dependencies } from './dependencies.ts';

export interface InventoryChange {
  /** On-hand per warehouse; unlisted warehouses go to zero. */
  warehouses?: Record<string, number>;
  shards?: number;
}

/**
 * Sets on-hand per warehouse and/or the shard count, keeping reservations and rebalancing the
 * shards. A reshard alone needs a SKU that exists: it has no counts to spread otherwise.
 */
export async function setInventory(deps: Pick<Dependencies, 'stock'>, sku: string, { warehouses, shards }: InventoryChange): Promise<SkuStock> {
  if (warehouses) return deps.stock.setOnHand(sku, warehouses, shards);
  if (!(await deps.stock.get(sku))) throw new UnknownSku(sku);
  return deps.stock.rebalance(sku, shards);
}

export interface InventoryAdjustment {
  warehouseId: string;
  /** Units received (positive) or written off after a count (negative). */
  delta: number;
}

/**
 * Receives or writes off units at one warehouse, relative to the count at the moment of the
 * write, so two receipts never overwrite each other and orders in flight keep their
 * reservations. Only a count that exists changes: UnknownSku or UnknownWarehouse otherwise.
 */
export function adjustInventory(deps: Pick<Dependencies, 'stock'>, sku: string, { warehouseId, delta }: InventoryAdjustment): Promise<SkuStock> {
  return deps.stock.adjust(sku, warehouseId, delta);
}
