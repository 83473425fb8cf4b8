/**
 * Stock accounting. Pure: the store turns a StockMove into one conditional
 * DynamoDB update whose conditions are exactly "no counter goes negative".
 *
 * Per SKU:
 * - `available`: network-wide available-to-promise; what `lock` reserves.
 * - `reserved`: locked for orders but not yet allocated to a warehouse.
 * - per warehouse `onHand` and `free` (= onHand minus what is allocated there).
 * Invariant: available = sum(free) - reserved, and every counter is >= 0.
 */
import { InventoryConflict } from './errors.ts';
import type { Allocation, OrderLine } from './order.ts';

export interface WarehouseStock {
  onHand: number;
  free: number;
}

export interface StockRecord {
  sku: string;
  available: number;
  reserved: number;
  warehouses: Record<string, WarehouseStock>;
}

export interface SkuQuantity {
  sku: string;
  quantity: number;
}

/** Signed deltas for one SKU's counters. */
export interface StockMove {
  sku: string;
  available: number;
  reserved: number;
  free: Record<string, number>;
}

export type ReservationState = 'LOCKED' | 'ALLOCATED';

/** What stock an order holds: locked network-wide, then allocated to warehouses. */
export interface Reservation {
  orderId: string;
  state: ReservationState;
  lines: SkuQuantity[];
  allocations?: Allocation[];
}

/** One quantity per SKU, sorted, so a transaction touches each stock item once and in a stable order. */
export function aggregateLines(lines: readonly Pick<OrderLine, 'sku' | 'quantity'>[]): SkuQuantity[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

function emptyMove(sku: string): StockMove {
  return { sku, available: 0, reserved: 0, free: {} };
}

function movesBySku(allocations: readonly Allocation[], sign: 1 | -1): StockMove[] {
  const moves = new Map<string, StockMove>();
  for (const { sku, warehouseId, quantity } of allocations) {
    const move = moves.get(sku) ?? emptyMove(sku);
    move.reserved += sign * quantity;
    move.free[warehouseId] = (move.free[warehouseId] ?? 0) + sign * quantity;
    moves.set(sku, move);
  }
  return [...moves.values()].sort((a, b) => (a.sku < b.sku ? -1 : 1));
}

export function lockMoves(lines: readonly SkuQuantity[]): StockMove[] {
  return lines.map(({ sku, quantity }) => ({ ...emptyMove(sku), available: -quantity, reserved: quantity }));
}

export function releaseLockMoves(lines: readonly SkuQuantity[]): StockMove[] {
  return lines.map(({ sku, quantity }) => ({ ...emptyMove(sku), available: quantity, reserved: -quantity }));
}

/** Turns the network-wide lock into warehouse allocations: available-to-promise is unchanged. */
export function allocateMoves(allocations: readonly Allocation[]): StockMove[] {
  return movesBySku(allocations, -1);
}

export function releaseAllocationMoves(allocations: readonly Allocation[]): StockMove[] {
  return movesBySku(allocations, 1);
}

/** Everything the reservation holds, straight back to available-to-promise (used by cancel). */
export function releaseReservationMoves(reservation: Reservation): StockMove[] {
  if (reservation.state === 'LOCKED') return releaseLockMoves(reservation.lines);
  const back = releaseAllocationMoves(reservation.allocations ?? []);
  const unlock = new Map(releaseLockMoves(reservation.lines).map((move) => [move.sku, move]));
  return back.map((move) => {
    const lock = unlock.get(move.sku);
    return lock ? { ...move, available: lock.available, reserved: move.reserved + lock.reserved } : move;
  });
}

/** Applies a move, refusing to take any counter below zero (the same rule the store enforces). */
export function applyMove(stock: StockRecord, move: StockMove): StockRecord {
  const next: StockRecord = {
    sku: stock.sku,
    available: stock.available + move.available,
    reserved: stock.reserved + move.reserved,
    warehouses: { ...stock.warehouses },
  };
  for (const [warehouseId, delta] of Object.entries(move.free)) {
    const current = stock.warehouses[warehouseId];
    if (!current) throw new InventoryConflict(`${stock.sku} has no stock at ${warehouseId}`);
    next.warehouses[warehouseId] = { ...current, free: current.free + delta };
  }
  const negative =
    next.available < 0 || next.reserved < 0 || Object.values(next.warehouses).some((w) => w.free < 0);
  if (negative) throw new InventoryConflict(`${stock.sku}: the change would take a counter below zero`);
  return next;
}

/** A replacement of on-hand counts that keeps concurrent reservations intact. */
export interface OnHandChange {
  sku: string;
  /** Current on-hand per warehouse the change was computed from (undefined: warehouse is new). */
  expectedOnHand: Record<string, number | undefined>;
  newOnHand: Record<string, number>;
  /** Deltas applied to available and free: reservations made meanwhile are preserved. */
  move: StockMove;
}

/**
 * Sets on-hand per warehouse. Warehouses not listed go to zero. Refuses a change
 * that would put on-hand below what is allocated at a warehouse, or available-to-promise
 * below zero (stock already promised to orders).
 */
export function setOnHand(sku: string, current: StockRecord | undefined, desired: Record<string, number>): OnHandChange {
  const warehouses = current?.warehouses ?? {};
  const ids = [...new Set([...Object.keys(warehouses), ...Object.keys(desired)])].sort();
  const move = emptyMove(sku);
  const expectedOnHand: Record<string, number | undefined> = {};
  const newOnHand: Record<string, number> = {};
  for (const id of ids) {
    const before = warehouses[id];
    const target = desired[id] ?? 0;
    const delta = target - (before?.onHand ?? 0);
    const allocated = before ? before.onHand - before.free : 0;
    if (target < allocated) {
      throw new InventoryConflict(`${id} has ${allocated} units allocated to orders; on-hand cannot be set to ${target}`);
    }
    expectedOnHand[id] = before?.onHand;
    newOnHand[id] = target;
    if (delta !== 0) move.free[id] = delta;
    move.available += delta;
  }
  const available = (current?.available ?? 0) + move.available;
  if (available < 0) {
    throw new InventoryConflict(
      `${-available} more units are already promised to orders than the new on-hand counts leave available`,
    );
  }
  return { sku, expectedOnHand, newOnHand, move };
}

export interface InventoryView {
  sku: string;
  warehouses: Record<string, { onHand: number; reserved: number; available: number }>;
  onHand: number;
  /** Units held for orders: locked network-wide plus allocated to warehouses. */
  reserved: number;
  availableToPromise: number;
}

export function inventoryView(stock: StockRecord): InventoryView {
  const warehouses: InventoryView['warehouses'] = {};
  let onHand = 0;
  let allocated = 0;
  for (const [id, { onHand: units, free }] of Object.entries(stock.warehouses).sort(([a], [b]) => (a < b ? -1 : 1))) {
    warehouses[id] = { onHand: units, reserved: units - free, available: free };
    onHand += units;
    allocated += units - free;
  }
  return { sku: stock.sku, warehouses, onHand, reserved: allocated + stock.reserved, availableToPromise: stock.available };
}
