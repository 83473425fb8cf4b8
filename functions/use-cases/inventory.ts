/**
 * Setting and adjusting on-hand counts while orders are in flight: read the SKU's shards,
 * compute the change with the pure domain, commit it guarded on what was read, and on a
 * conflict (orders moved stock meanwhile) read again and recompute.
 */
import { InventoryConflict, TransientError, UnknownSku, UnknownWarehouse } from '../domain/errors.ts';
import { inventoryView, setOnHand as onHandChange, type OnHandChange, type SkuStock } from '../domain/stock.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

function onHandTotals(current: SkuStock | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(current ? inventoryView(current).warehouses : {}).map(([id, w]) => [id, w.onHand]));
}

async function change(
  deps: Pick<Dependencies, 'stock'>,
  sku: string,
  decide: (current: SkuStock | undefined) => OnHandChange,
  shardCount?: number,
): Promise<SkuStock> {
  return retryOnConflict(`Stock for ${sku} kept changing while orders flowed; try again`, async () => {
    const current = (await deps.stock.getMany([sku], { atLeast: new Map([[sku, shardCount ?? 0]]) })).get(sku);
    if (!(await deps.stock.commitOnHand(decide(current), current?.revision ?? 0))) return CONFLICT;
    const saved = await deps.stock.get(sku);
    if (!saved) throw new TransientError(`Stock for ${sku} is not readable yet`);
    return saved;
  });
}

/**
 * Replaces on-hand counts per warehouse (unlisted warehouses go to zero), and optionally
 * the shard count, keeping every reservation made in flight; also rebalances the shards.
 */
export function setOnHand(deps: Pick<Dependencies, 'stock'>, sku: string, desired: Record<string, number>, shardCount?: number): Promise<SkuStock> {
  return change(deps, sku, (current) => onHandChange(sku, current, desired, shardCount ?? current?.shardCount ?? 1), shardCount);
}

/** Keeps every on-hand count, spreading free stock evenly again, optionally over a new number of shards. */
export function rebalance(deps: Pick<Dependencies, 'stock'>, sku: string, shardCount?: number): Promise<SkuStock> {
  return change(deps, sku, (current) => onHandChange(sku, current, onHandTotals(current), shardCount ?? current?.shardCount ?? 1), shardCount);
}

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
  if (warehouses) return setOnHand(deps, sku, warehouses, shards);
  if (!(await deps.stock.get(sku))) throw new UnknownSku(sku);
  return rebalance(deps, sku, shards);
}

export interface InventoryAdjustment {
  warehouseId: string;
  /** Units received (positive) or written off after a count (negative). */
  delta: number;
}

/**
 * Receives or writes off units at one warehouse, relative to the count at the moment of the
 * write, so two receipts never overwrite each other and orders in flight keep their
 * reservations. Only a count that exists changes: UnknownSku or UnknownWarehouse otherwise,
 * checked against the stock read for the write.
 */
export function adjustInventory(deps: Pick<Dependencies, 'stock'>, sku: string, { warehouseId, delta }: InventoryAdjustment): Promise<SkuStock> {
  return change(deps, sku, (current) => {
    if (!current) throw new UnknownSku(sku);
    const totals = onHandTotals(current);
    if (!Object.hasOwn(totals, warehouseId)) throw new UnknownWarehouse(sku, warehouseId);
    const units = totals[warehouseId]! + delta;
    if (units < 0) throw new InventoryConflict(`${warehouseId} holds ${totals[warehouseId]} units of ${sku}; cannot remove ${-delta}`);
    return onHandChange(sku, current, { ...totals, [warehouseId]: units }, current.shardCount);
  });
}
