/**
 * Stock accounting across counter shards. Pure: the store turns each StockMove
 * into one conditional DynamoDB update whose conditions are exactly "no counter
 * goes negative", so an oversell is refused by the table, however many orders race.
 *
 * A SKU's stock is split over `shardCount` shards, each its own item (and
 * partition key), so a flash-sale SKU is not capped by one partition's write
 * rate. Every shard is a slice of the whole: per warehouse `onHand` and `free`
 * (= onHand minus what is allocated there), `available` (available-to-promise
 * in this shard) and `reserved` (locked for orders, not yet allocated).
 * Invariant per shard: available = sum(free) - reserved, every counter >= 0.
 * The SKU's figures are the sums over its shards; moves never create or destroy
 * units, so the sums are conserved by every operation but setOnHand.
 *
 * Lock takes available-to-promise in the order's home shard (a hash of the
 * order id), spreading over other shards only when the home shard is short.
 * Allocation turns a lock in shard k into units at warehouse w: from k's own
 * free units when it has them, otherwise from another shard j (k's lock becomes
 * available again in k, and j's available pays for the units).
 */
import { InventoryConflict, OutOfStock } from './errors.ts';
import type { Allocation, OrderLine, SkuQuantity } from './vocabulary.ts';

/** Shard counts above this would not fit one DynamoDB transaction (100 items) when stock is set. */
export const MAX_SHARDS = 50;

export interface WarehouseStock {
  onHand: number;
  free: number;
}

/** One counter shard of a SKU: a slice of every warehouse's stock. */
export interface StockShard {
  sku: string;
  shard: number;
  available: number;
  reserved: number;
  warehouses: Record<string, WarehouseStock>;
}

/** A SKU's stock: its shard count and the shard items that exist (shard 0 always does). */
export interface SkuStock {
  sku: string;
  shardCount: number;
  /** Counts how often on-hand was set; a change is written only on the revision it was computed from. */
  revision: number;
  shards: StockShard[];
}

/** Units of a SKU locked in one shard. */
export interface ShardQuantity extends SkuQuantity {
  shard: number;
}

/** Units allocated at a warehouse, taken from one shard's slice of it. */
export interface ShardAllocation extends Allocation {
  shard: number;
}

/** Signed deltas for one shard's counters. */
export interface StockMove {
  sku: string;
  shard: number;
  available: number;
  reserved: number;
  free: Record<string, number>;
}

/** What stock an order holds: locked in shards, then allocated to warehouses. */
export type Reservation =
  | { orderId: string; state: 'LOCKED'; lines: SkuQuantity[]; locks: ShardQuantity[] }
  | {
      orderId: string;
      state: 'ALLOCATED';
      lines: SkuQuantity[];
      allocations: ShardAllocation[];
      /** The day the parcels were counted against their warehouses' daily capacity. */
      capacityDay: string;
    };

export type ReservationState = Reservation['state'];

const bySkuThenShard = (a: { sku: string; shard: number }, b: { sku: string; shard: number }) =>
  a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.shard - b.shard;

/** One quantity per SKU, sorted, so a transaction touches each stock item once and in a stable order. */
export function aggregateLines(lines: readonly Pick<OrderLine, 'sku' | 'quantity'>[]): SkuQuantity[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/** Moves keyed by item, merged: a transaction may touch each item only once. */
class MoveSet {
  private readonly moves = new Map<string, StockMove>();

  add(sku: string, shard: number, delta: { available?: number; reserved?: number; free?: [string, number] }): void {
    const key = `${sku}\u0000${shard}`;
    const move = this.moves.get(key) ?? { sku, shard, available: 0, reserved: 0, free: {} };
    move.available += delta.available ?? 0;
    move.reserved += delta.reserved ?? 0;
    if (delta.free) move.free[delta.free[0]] = (move.free[delta.free[0]] ?? 0) + delta.free[1];
    this.moves.set(key, move);
  }

  list(): StockMove[] {
    return [...this.moves.values()].sort(bySkuThenShard);
  }
}

/** The shard an order locks in first: a stable hash (FNV-1a) of its id, so a retried step picks the same one. */
export function homeShard(orderId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    hash ^= orderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % Math.max(1, shardCount);
}

/** The lock to try first, without reading stock: every line in its home shard. */
export function homeLocks(orderId: string, lines: readonly SkuQuantity[], shardCounts: ReadonlyMap<string, number>): ShardQuantity[] {
  return lines.map(({ sku, quantity }) => ({ sku, quantity, shard: homeShard(orderId, shardCounts.get(sku) ?? 1) }));
}

/**
 * The lock when the home shard is short: each line takes what its home shard
 * has, then the rest from the next shards (wrapping around) that have stock. Throws OutOfStock
 * (listing the SKUs) when the shards together do not have enough.
 */
export function spreadLocks(orderId: string, lines: readonly SkuQuantity[], stock: ReadonlyMap<string, SkuStock>): ShardQuantity[] {
  const locks: ShardQuantity[] = [];
  const short: string[] = [];
  for (const { sku, quantity } of lines) {
    const skuStock = stock.get(sku);
    const shardCount = skuStock?.shardCount ?? 1;
    const home = homeShard(orderId, shardCount);
    const shards = (skuStock?.shards ?? [])
      .filter((shard) => shard.shard < shardCount && shard.available > 0)
      // Home first, then onwards from it: orders spilling over start at different shards
      // instead of all racing for the fullest one.
      .sort((a, b) => ((a.shard - home + shardCount) % shardCount) - ((b.shard - home + shardCount) % shardCount));
    let left = quantity;
    for (const shard of shards) {
      if (left === 0) break;
      const take = Math.min(left, shard.available);
      locks.push({ sku, shard: shard.shard, quantity: take });
      left -= take;
    }
    if (left > 0) short.push(sku);
  }
  if (short.length > 0) throw new OutOfStock(short);
  return locks.sort(bySkuThenShard);
}

export function lockMoves(locks: readonly ShardQuantity[]): StockMove[] {
  const moves = new MoveSet();
  for (const { sku, shard, quantity } of locks) moves.add(sku, shard, { available: -quantity, reserved: quantity });
  return moves.list();
}

export function releaseLockMoves(locks: readonly ShardQuantity[]): StockMove[] {
  const moves = new MoveSet();
  for (const { sku, shard, quantity } of locks) moves.add(sku, shard, { available: quantity, reserved: -quantity });
  return moves.list();
}

const key = (sku: string, shard: number) => `${sku}\u0000${shard}`;

function lockedIn(locks: readonly ShardQuantity[]): Map<string, number> {
  const locked = new Map<string, number>();
  for (const lock of locks) locked.set(key(lock.sku, lock.shard), (locked.get(key(lock.sku, lock.shard)) ?? 0) + lock.quantity);
  return locked;
}

/**
 * Free units at each warehouse this order could be allocated, per SKU. A shard can
 * give the order up to its lock there plus the shard's available (units other
 * orders locked there are theirs). By default each warehouse is offered what the
 * shards could give it alone, which is exact for one warehouse but can overstate a
 * split, as the shards' budgets are shared by their warehouses. `exclusive` splits
 * each shard's budget over its warehouses instead (largest free first), so any
 * plan within the offers can be allocated, at the price of offering less.
 */
export function allocatableStock(
  locks: readonly ShardQuantity[],
  stock: ReadonlyMap<string, SkuStock>,
  options: { exclusive?: boolean } = {},
): Record<string, Record<string, number>> {
  const locked = lockedIn(locks);
  const result: Record<string, Record<string, number>> = {};
  for (const sku of new Set(locks.map((lock) => lock.sku))) {
    const perWarehouse: Record<string, number> = {};
    for (const shard of stock.get(sku)?.shards ?? []) {
      let budget = (locked.get(key(sku, shard.shard)) ?? 0) + shard.available;
      const warehouses = Object.entries(shard.warehouses).sort(([a, x], [b, y]) => y.free - x.free || (a < b ? -1 : 1));
      for (const [warehouseId, { free }] of warehouses) {
        const units = Math.max(0, Math.min(free, budget));
        perWarehouse[warehouseId] = (perWarehouse[warehouseId] ?? 0) + units;
        if (options.exclusive) budget -= units;
      }
    }
    result[sku] = perWarehouse;
  }
  return result;
}

export interface AllocationPlan {
  allocations: ShardAllocation[];
  moves: StockMove[];
}

/**
 * Turns the order's locks into the route's warehouse allocations against a
 * snapshot of the stock. Which shard gives how many units of each warehouse is a
 * small flow problem (shards' budgets, their free units per warehouse, the
 * route's demand per warehouse); any solution can be written as moves: a shard
 * gives units against its own lock first, and beyond it out of its available,
 * while a lock elsewhere turns back into available. Returns undefined when no
 * solution exists on this snapshot.
 */
export function planAllocation(
  locks: readonly ShardQuantity[],
  allocations: readonly Allocation[],
  stock: ReadonlyMap<string, SkuStock>,
): AllocationPlan | undefined {
  const locked = lockedIn(locks);
  const moves = new MoveSet();
  const taken: ShardAllocation[] = [];
  for (const sku of new Set([...locks.map((lock) => lock.sku), ...allocations.map((a) => a.sku)])) {
    const demand: Record<string, number> = {};
    for (const a of allocations) if (a.sku === sku) demand[a.warehouseId] = (demand[a.warehouseId] ?? 0) + a.quantity;
    const lockTotal = locks.filter((lock) => lock.sku === sku).reduce((sum, lock) => sum + lock.quantity, 0);
    if (total(Object.values(demand)) !== lockTotal) throw new Error(`The allocations of ${sku} do not account for exactly the locked quantity`);
    const shards = (stock.get(sku)?.shards ?? []).map((shard) => ({
      shard,
      lock: locked.get(key(sku, shard.shard)) ?? 0,
    }));
    // A shard the order holds a lock in is missing from the snapshot (a stale read).
    if (total(shards.map(({ lock }) => lock)) !== lockTotal) return undefined;
    const units = assignUnits(
      shards.map(({ shard, lock }) => ({ budget: lock + shard.available, free: shard.warehouses })),
      demand,
    );
    if (!units) return undefined;
    // Against their own locks first; what a shard gives beyond its lock is cross-shard.
    const spareLocks = shards.map(({ lock }, i) => Math.max(0, lock - total(Object.values(units[i]!))));
    shards.forEach(({ shard, lock }, i) => {
      let own = lock;
      for (const [warehouseId, quantity] of Object.entries(units[i]!)) {
        const same = Math.min(own, quantity);
        own -= same;
        if (same > 0) moves.add(sku, shard.shard, { reserved: -same, free: [warehouseId, -same] });
        let cross = quantity - same;
        while (cross > 0) {
          const lockShard = spareLocks.findIndex((spare) => spare > 0);
          const t = Math.min(cross, spareLocks[lockShard]!);
          moves.add(sku, shards[lockShard]!.shard.shard, { reserved: -t, available: t });
          moves.add(sku, shard.shard, { available: -t, free: [warehouseId, -t] });
          spareLocks[lockShard]! -= t;
          cross -= t;
        }
        taken.push({ sku, warehouseId, quantity, shard: shard.shard });
      }
    });
  }
  return { allocations: mergeAllocations(taken), moves: moves.list() };
}

/**
 * Max flow (augmenting paths) from shards (capacity: budget) through their free
 * units per warehouse to the demand per warehouse. Returns units per shard per
 * warehouse meeting all demand, or undefined when the shards cannot.
 */
function assignUnits(
  shards: ReadonlyArray<{ budget: number; free: Readonly<Record<string, WarehouseStock>> }>,
  demand: Readonly<Record<string, number>>,
): Array<Record<string, number>> | undefined {
  const warehouses = Object.keys(demand).filter((w) => demand[w]! > 0);
  // Nodes: 0 source, 1..S shards, then warehouses, then the sink.
  const S = shards.length;
  const sink = 1 + S + warehouses.length;
  const capacity = Array.from({ length: sink + 1 }, () => new Array<number>(sink + 1).fill(0));
  shards.forEach(({ budget, free }, i) => {
    capacity[0]![1 + i] = Math.max(0, budget);
    warehouses.forEach((w, j) => (capacity[1 + i]![1 + S + j] = Math.max(0, free[w]?.free ?? 0)));
  });
  warehouses.forEach((w, j) => (capacity[1 + S + j]![sink] = demand[w]!));
  let flow = 0;
  for (;;) {
    const parent = new Array<number>(sink + 1).fill(-1);
    parent[0] = 0;
    const queue = [0];
    while (queue.length > 0 && parent[sink] === -1) {
      const u = queue.shift()!;
      for (let v = 0; v <= sink; v++) {
        if (parent[v] === -1 && capacity[u]![v]! > 0) {
          parent[v] = u;
          queue.push(v);
        }
      }
    }
    if (parent[sink] === -1) break;
    let bottleneck = Infinity;
    for (let v = sink; v !== 0; v = parent[v]!) bottleneck = Math.min(bottleneck, capacity[parent[v]!]![v]!);
    for (let v = sink; v !== 0; v = parent[v]!) {
      capacity[parent[v]!]![v]! -= bottleneck;
      capacity[v]![parent[v]!]! += bottleneck;
    }
    flow += bottleneck;
  }
  if (flow !== total(Object.values(demand))) return undefined;
  // The flow on shard -> warehouse edges is the reverse residual capacity.
  return shards.map((_, i) =>
    Object.fromEntries(
      warehouses.flatMap((w, j) => {
        const units = capacity[1 + S + j]![1 + i]!;
        return units > 0 ? [[w, units]] : [];
      }),
    ),
  );
}

function mergeAllocations(allocations: readonly ShardAllocation[]): ShardAllocation[] {
  const merged = new Map<string, ShardAllocation>();
  for (const a of allocations) {
    const key = `${a.sku}\u0000${a.shard}\u0000${a.warehouseId}`;
    const existing = merged.get(key);
    merged.set(key, { ...a, quantity: (existing?.quantity ?? 0) + a.quantity });
  }
  return [...merged.values()].sort((a, b) => bySkuThenShard(a, b) || (a.warehouseId < b.warehouseId ? -1 : 1));
}

/**
 * Gives allocations back as locks in the shards the units came from. This only
 * adds to counters, so compensation is never refused; the lock it leaves is `locksOf`.
 */
export function releaseAllocationMoves(allocations: readonly ShardAllocation[]): StockMove[] {
  const moves = new MoveSet();
  for (const { sku, shard, warehouseId, quantity } of allocations) moves.add(sku, shard, { reserved: quantity, free: [warehouseId, quantity] });
  return moves.list();
}

/** Warehouses the allocations ship from, one parcel each. */
export function parcelWarehouses(allocations: readonly Allocation[]): string[] {
  return [...new Set(allocations.map((allocation) => allocation.warehouseId))].sort();
}

/** The lock an order holds after its allocations were released. */
export function locksOf(allocations: readonly ShardAllocation[]): ShardQuantity[] {
  const locks = new Map<string, ShardQuantity>();
  for (const { sku, shard, quantity } of allocations) {
    const key = `${sku}\u0000${shard}`;
    locks.set(key, { sku, shard, quantity: (locks.get(key)?.quantity ?? 0) + quantity });
  }
  return [...locks.values()].sort(bySkuThenShard);
}

/** Everything the reservation holds, straight back to available-to-promise (used by cancel). */
export function releaseReservationMoves(reservation: Reservation): StockMove[] {
  if (reservation.state === 'LOCKED') return releaseLockMoves(reservation.locks);
  const moves = new MoveSet();
  for (const { sku, shard, warehouseId, quantity } of reservation.allocations) {
    moves.add(sku, shard, { available: quantity, free: [warehouseId, quantity] });
  }
  return moves.list();
}

/** Applies a move, refusing to take any counter below zero (the same rule the store enforces). */
export function applyMove(stock: StockShard, move: StockMove): StockShard {
  const next: StockShard = {
    sku: stock.sku,
    shard: stock.shard,
    available: stock.available + move.available,
    reserved: stock.reserved + move.reserved,
    warehouses: { ...stock.warehouses },
  };
  for (const [warehouseId, delta] of Object.entries(move.free)) {
    const current = stock.warehouses[warehouseId];
    if (!current) throw new InventoryConflict(`${stock.sku} has no stock at ${warehouseId} in shard ${stock.shard}`);
    next.warehouses[warehouseId] = { ...current, free: current.free + delta };
  }
  const negative = next.available < 0 || next.reserved < 0 || Object.values(next.warehouses).some((w) => w.free < 0);
  if (negative) throw new InventoryConflict(`${stock.sku}: the change would take a counter below zero`);
  return next;
}

/** How one shard changes when on-hand is set: on-hand replaced, free and available moved by deltas. */
export interface ShardChange {
  shard: number;
  /** False: the shard item does not exist yet and is written whole. */
  exists: boolean;
  /** On-hand per warehouse the change was computed from (undefined: not in this shard yet). */
  expectedOnHand: Record<string, number | undefined>;
  newOnHand: Record<string, number>;
  /** Deltas, so reservations made meanwhile are preserved (or the conditions refuse the write). */
  move: StockMove;
}

export interface OnHandChange {
  sku: string;
  shardCount: number;
  shards: ShardChange[];
}

const total = (values: Iterable<number>) => [...values].reduce((sum, value) => sum + value, 0);

/**
 * Sets on-hand per warehouse (unlisted warehouses go to zero) and the shard
 * count, spreading what is not held for orders evenly over the shards, each shard
 * a proportional slice of every warehouse. Doubles as a rebalance when given the
 * current counts. Refuses on-hand below what is allocated at a warehouse, less
 * than is promised to orders, or fewer shards while a retired shard holds stock
 * for an order.
 */
export function setOnHand(sku: string, current: SkuStock | undefined, desired: Record<string, number>, shardCount: number): OnHandChange {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) {
    throw new InventoryConflict(`The shard count must be a whole number from 1 to ${MAX_SHARDS}`);
  }
  for (const [warehouseId, units] of Object.entries(desired)) {
    if (!Number.isInteger(units) || units < 0) throw new InventoryConflict(`On-hand at ${warehouseId} must be a whole number >= 0`);
  }
  const existing = new Map((current?.shards ?? []).map((shard) => [shard.shard, shard]));
  const slots = Math.max(shardCount, ...[...existing.keys()].map((shard) => shard + 1));
  const warehouses = [...new Set([...Object.keys(desired), ...(current?.shards ?? []).flatMap((s) => Object.keys(s.warehouses))])].sort();
  const allocated = (shard: number, warehouseId: string) => {
    const w = existing.get(shard)?.warehouses[warehouseId];
    return w ? w.onHand - w.free : 0;
  };

  for (let shard = shardCount; shard < slots; shard++) {
    const retired = existing.get(shard);
    if (retired && (retired.reserved > 0 || warehouses.some((w) => allocated(shard, w) > 0))) {
      throw new InventoryConflict(`Shard ${shard} of ${sku} still holds stock for orders; lower the shard count once they are done`);
    }
  }
  // What is free to distribute per warehouse, and what each shard must keep free for its locks.
  const pool: Record<string, number> = {};
  for (const warehouseId of warehouses) {
    const held = total(Array.from({ length: slots }, (_, shard) => allocated(shard, warehouseId)));
    const target = desired[warehouseId] ?? 0;
    if (target < held) {
      throw new InventoryConflict(`${warehouseId} has ${held} units allocated to orders; on-hand cannot be set to ${target}`);
    }
    pool[warehouseId] = target - held;
  }
  const need = Array.from({ length: slots }, (_, shard) => existing.get(shard)?.reserved ?? 0);
  const spare = total(Object.values(pool)) - total(need);
  if (spare < 0) {
    throw new InventoryConflict(`${-spare} more units are already promised to orders than the new on-hand counts leave available`);
  }
  // Each active shard gets its locks covered plus an even share of the spare units.
  const goal = need.map((units, shard) =>
    shard < shardCount ? units + Math.floor(spare / shardCount) + (shard < spare % shardCount ? 1 : 0) : 0,
  );
  const give = distribute(pool, goal);

  const shards: ShardChange[] = [];
  for (let shard = 0; shard < slots; shard++) {
    const before = existing.get(shard);
    const move: StockMove = { sku, shard, available: 0, reserved: 0, free: {} };
    const expectedOnHand: Record<string, number | undefined> = {};
    const newOnHand: Record<string, number> = {};
    for (const warehouseId of warehouses) {
      const was = before?.warehouses[warehouseId];
      const free = give[shard]![warehouseId] ?? 0;
      const delta = free - (was?.free ?? 0);
      expectedOnHand[warehouseId] = was?.onHand;
      newOnHand[warehouseId] = allocated(shard, warehouseId) + free;
      if (delta !== 0) move.free[warehouseId] = delta;
      move.available += delta;
    }
    const unchanged = before && move.available === 0 && Object.keys(move.free).length === 0 && shard !== 0;
    const sameOnHand = warehouses.every((w) => newOnHand[w] === expectedOnHand[w] || (newOnHand[w] === 0 && expectedOnHand[w] === undefined));
    // An untouched shard stays out of the transaction, so its orders are not slowed down.
    if (unchanged && sameOnHand) continue;
    shards.push({ shard, exists: before !== undefined, expectedOnHand, newOnHand, move });
  }
  return { sku, shardCount, shards };
}

/**
 * Splits each warehouse's pool over the shards so that shard k receives goal[k]
 * units in total, each shard getting about the same share of every warehouse.
 * The goals sum to the pools.
 */
function distribute(pool: Record<string, number>, goal: readonly number[]): Array<Record<string, number>> {
  const give = goal.map(() => ({}) as Record<string, number>);
  const left = [...goal];
  const warehouses = Object.keys(pool).filter((w) => pool[w]! > 0);
  let remaining = total(Object.values(pool));
  warehouses.forEach((warehouseId, i) => {
    const units = pool[warehouseId]!;
    const last = i === warehouses.length - 1;
    let rest = units;
    // BigInt: on-hand counts up to 1e9 per warehouse overflow exact float products.
    const share = left.map((l) => (last ? l : Math.min(l, Number((BigInt(units) * BigInt(l)) / BigInt(remaining)))));
    share.forEach((part, shard) => {
      give[shard]![warehouseId] = part;
      left[shard]! -= part;
      rest -= part;
    });
    // Rounding leftovers: fewer than the shards with room, a unit each to those furthest from their goal.
    for (const shard of left.map((_, s) => s).sort((a, b) => left[b]! - left[a]! || a - b)) {
      if (rest === 0 || left[shard] === 0) break;
      give[shard]![warehouseId] = (give[shard]![warehouseId] ?? 0) + 1;
      left[shard]! -= 1;
      rest -= 1;
    }
    if (rest !== 0) throw new Error(`Could not spread ${warehouseId} over the shards`);
    remaining -= units;
  });
  return give;
}

export interface InventoryView {
  sku: string;
  warehouses: Record<string, { onHand: number; reserved: number; available: number }>;
  onHand: number;
  /** Units held for orders: locked network-wide plus allocated to warehouses. */
  reserved: number;
  availableToPromise: number;
  shardCount: number;
  /** Per shard, to see how evenly a hot SKU's stock is spread. */
  shards: Array<{ shard: number; onHand: number; reserved: number; availableToPromise: number }>;
}

export function inventoryView(stock: SkuStock): InventoryView {
  const warehouses: InventoryView['warehouses'] = {};
  const shards: InventoryView['shards'] = [];
  for (const shard of [...stock.shards].sort((a, b) => a.shard - b.shard)) {
    let shardOnHand = 0;
    let shardAllocated = 0;
    for (const [id, { onHand, free }] of Object.entries(shard.warehouses)) {
      const w = (warehouses[id] ??= { onHand: 0, reserved: 0, available: 0 });
      w.onHand += onHand;
      w.reserved += onHand - free;
      w.available += free;
      shardOnHand += onHand;
      shardAllocated += onHand - free;
    }
    if (shard.shard < stock.shardCount || shardOnHand > 0) {
      shards.push({ shard: shard.shard, onHand: shardOnHand, reserved: shardAllocated + shard.reserved, availableToPromise: shard.available });
    }
  }
  const sorted = Object.fromEntries(Object.entries(warehouses).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    sku: stock.sku,
    warehouses: sorted,
    onHand: total(shards.map((s) => s.onHand)),
    reserved: total(shards.map((s) => s.reserved)),
    availableToPromise: total(shards.map((s) => s.availableToPromise)),
    shardCount: stock.shardCount,
    shards,
  };
}
