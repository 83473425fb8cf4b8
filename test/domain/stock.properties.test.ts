/**
 * Property tests of stock accounting across counter shards. A model "world" holds
 * every shard item of the table (keyed by SKU and shard) and the reservations;
 * operations are driven only through the domain functions, the way the use cases
 * (the fulfilment steps in functions/use-cases/) and the store (functions/store/stock-store.ts)
 * use them:
 * - moves are applied all or nothing, like one DynamoDB transaction; a refused move
 *   is a failed condition, and the reservation item's state is a condition too, so a
 *   duplicate of a step that already ran changes nothing;
 * - setOnHand's ShardChanges are applied like stock-store.ts shardChangeItem and
 *   onHandExpression: a new shard item is written whole (free = onHand), an existing
 *   one gets the move's deltas (free only for warehouses it already has), on-hand
 *   replaced and guarded on the value read, a new warehouse written whole and guarded
 *   on its absence, shard 0 guarded on the shard count read; shards absent from the
 *   change are untouched.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { InventoryConflict, OutOfStock } from '../../functions/domain/errors.ts';
import type { Allocation, SkuQuantity } from '../../functions/domain/vocabulary.ts';
import {
  aggregateLines,
  allocatableStock,
  applyMove,
  homeLocks,
  homeShard,
  inventoryView,
  lockMoves,
  locksOf,
  planAllocation,
  releaseAllocationMoves,
  releaseLockMoves,
  releaseReservationMoves,
  setOnHand,
  spreadLocks,
  type OnHandChange,
  type Reservation,
  type ReservationState,
  type ShardQuantity,
  type SkuStock,
  type StockMove,
  type StockShard,
} from '../../functions/domain/stock.ts';

const SKUS = ['A', 'B'] as const;
const WAREHOUSES = ['W1', 'W2', 'W3'] as const;
const MAX_TEST_SHARDS = 6;

const sum = (values: Iterable<number>) => [...values].reduce((s, v) => s + v, 0);
const itemKey = (sku: string, shard: number) => `${sku}#${shard}`;

interface PendingSet {
  sku: string;
  desired: Record<string, number>;
  change: OnHandChange;
  readRevision: number;
}

interface World {
  /** Every stock item in the table. */
  items: Map<string, StockShard>;
  /** The shardCount attribute of each SKU's shard 0. */
  shardCounts: Map<string, number>;
  /** The revision attribute of each SKU's shard 0: every on-hand write checks and moves it on. */
  revisions: Map<string, number>;
  /** The last on-hand set per SKU and warehouse (0 for a warehouse it was set without). */
  onHandSet: Map<string, Record<string, number>>;
  reservations: Map<string, Reservation>;
  nextOrder: number;
  /** A setOnHand read and computed but not yet written (an operator racing orders). */
  pending?: PendingSet;
}

const newWorld = (): World => ({ items: new Map(), shardCounts: new Map(), revisions: new Map(), onHandSet: new Map(), reservations: new Map(), nextOrder: 0 });

function cloneWorld(world: World): World {
  return structuredClone(world);
}

/** What gets exercised, so a property that silently stopped reaching a path shows up. */
const seen = {
  homeLock: 0,
  spreadLock: 0,
  outOfStock: 0,
  ownShardAllocation: 0,
  crossShardAllocation: 0,
  splitAllocation: 0,
  undeliverableSplit: 0,
  setRefusedRetired: 0,
  setRefusedHeld: 0,
  setRefusedPromised: 0,
  shardCountLowered: 0,
  shardCountRaised: 0,
  staleSetCommitted: 0,
  staleSetRefused: 0,
  duplicateRefused: 0,
};

// ---------------------------------------------------------------------------
// The store, modelled.
// ---------------------------------------------------------------------------

/** stock-store.ts read(): shard 0, then shards 1..max(shardCount, atLeast)-1 that exist. */
function readSku(world: World, sku: string, atLeast = 0): SkuStock | undefined {
  if (!world.items.has(itemKey(sku, 0))) return undefined;
  const shardCount = world.shardCounts.get(sku) ?? 1;
  const shards: StockShard[] = [];
  for (let s = 0; s < Math.max(shardCount, atLeast); s++) {
    const item = world.items.get(itemKey(sku, s));
    if (item) shards.push(structuredClone(item));
  }
  return { sku, shardCount, revision: world.revisions.get(sku) ?? 0, shards };
}

function readMany(world: World, skus: readonly string[]): Map<string, SkuStock> {
  const result = new Map<string, SkuStock>();
  for (const sku of skus) {
    const stock = readSku(world, sku);
    if (stock) result.set(sku, stock);
  }
  return result;
}

/** stock-store.ts shardCounts(): from shard 0, 1 when the SKU has no stock. */
const shardCountsOf = (world: World, skus: readonly string[]) => new Map(skus.map((sku) => [sku, world.shardCounts.get(sku) ?? 1]));

/** A step's transaction: the reservation item's write, guarded on the state read, and the stock moves. */
interface Tx {
  orderId: string;
  expected: ReservationState | 'ABSENT';
  write: Reservation | null;
  moves: StockMove[];
}

/** All or nothing, like one DynamoDB transaction. False when a condition fails. */
function transact(world: World, tx: Tx): boolean {
  if ((world.reservations.get(tx.orderId)?.state ?? 'ABSENT') !== tx.expected) return false;
  const staged = new Map<string, StockShard>();
  try {
    for (const move of tx.moves) {
      const key = itemKey(move.sku, move.shard);
      // DynamoDB rejects a transaction touching an item twice: the domain must merge moves.
      expect(staged.has(key)).toBe(false);
      const item = world.items.get(key);
      if (!item) return false; // counters of a missing item: the condition (or the SET a = a + d) fails
      staged.set(key, applyMove(item, move));
    }
  } catch (error) {
    if (error instanceof InventoryConflict) return false;
    throw error;
  }
  for (const [key, item] of staged) world.items.set(key, item);
  if (tx.write) world.reservations.set(tx.orderId, tx.write);
  else world.reservations.delete(tx.orderId);
  return true;
}

/** stock-store.ts change(): one transaction of shardChangeItem per ShardChange, with their conditions. */
function writeOnHand(world: World, change: OnHandChange, readRevision: number): boolean {
  const staged = new Map<string, StockShard>();
  for (const c of change.shards) {
    const key = itemKey(change.sku, c.shard);
    expect(staged.has(key)).toBe(false);
    const item = world.items.get(key);
    if (!c.exists) {
      if (item) return false; // attribute_not_exists(pk)
      staged.set(key, {
        sku: change.sku,
        shard: c.shard,
        available: c.move.available,
        reserved: 0,
        warehouses: Object.fromEntries(Object.entries(c.newOnHand).map(([id, onHand]) => [id, { onHand, free: onHand }])),
      });
      continue;
    }
    if (!item) return false;
    if (c.shard === 0 && (world.revisions.get(change.sku) ?? 0) !== readRevision) return false;
    for (const [id] of Object.entries(c.newOnHand)) {
      const expected = c.expectedOnHand[id];
      if (expected === undefined ? item.warehouses[id] !== undefined : item.warehouses[id]?.onHand !== expected) return false;
    }
    // Deltas on counters, conditioned on no counter going below zero; free only where the warehouse exists.
    const existingFree = Object.fromEntries(Object.entries(c.move.free).filter(([id]) => c.expectedOnHand[id] !== undefined));
    let next: StockShard;
    try {
      next = applyMove(item, { ...c.move, free: existingFree });
    } catch (error) {
      if (error instanceof InventoryConflict) return false;
      throw error;
    }
    for (const [id, onHand] of Object.entries(c.newOnHand)) {
      next.warehouses[id] = c.expectedOnHand[id] === undefined ? { onHand, free: onHand } : { ...next.warehouses[id]!, onHand };
    }
    staged.set(key, next);
  }
  expect(change.shards.some((c) => c.shard === 0)).toBe(true); // shard 0 carries (and guards) the shard count
  for (const [key, item] of staged) world.items.set(key, item);
  world.shardCounts.set(change.sku, change.shardCount);
  world.revisions.set(change.sku, readRevision + 1);
  return true;
}

// ---------------------------------------------------------------------------
// What the reservations say the stock should be.
// ---------------------------------------------------------------------------

function heldBy(world: World, sku: string) {
  const lockedPerShard = new Map<number, number>();
  const allocatedPerShard = new Map<string, number>(); // `${shard}#${warehouse}`
  const allocatedPerWarehouse: Record<string, number> = {};
  const shardsUsed = new Set<number>();
  for (const r of world.reservations.values()) {
    if (r.state === 'LOCKED') {
      for (const l of r.locks)
        if (l.sku === sku) {
          lockedPerShard.set(l.shard, (lockedPerShard.get(l.shard) ?? 0) + l.quantity);
          shardsUsed.add(l.shard);
        }
    } else {
      for (const a of r.allocations)
        if (a.sku === sku) {
          const key = `${a.shard}#${a.warehouseId}`;
          allocatedPerShard.set(key, (allocatedPerShard.get(key) ?? 0) + a.quantity);
          allocatedPerWarehouse[a.warehouseId] = (allocatedPerWarehouse[a.warehouseId] ?? 0) + a.quantity;
          shardsUsed.add(a.shard);
        }
    }
  }
  return { lockedPerShard, allocatedPerShard, allocatedPerWarehouse, locked: sum(lockedPerShard.values()), shardsUsed };
}

/** Total available-to-promise over a SKU's active shards. */
function totalAvailable(world: World, sku: string): number {
  const stock = readSku(world, sku);
  return stock ? sum(stock.shards.filter((s) => s.shard < stock.shardCount).map((s) => s.available)) : 0;
}

/** (a) and (b) on every item. */
function checkCounters(world: World) {
  for (const item of world.items.values()) {
    expect(item.available).toBeGreaterThanOrEqual(0);
    expect(item.reserved).toBeGreaterThanOrEqual(0);
    for (const w of Object.values(item.warehouses)) {
      expect(w.free).toBeGreaterThanOrEqual(0);
      expect(w.onHand).toBeGreaterThanOrEqual(w.free);
      expect(Number.isSafeInteger(w.onHand) && Number.isSafeInteger(w.free)).toBe(true);
    }
    expect(item.available).toBe(sum(Object.values(item.warehouses).map((w) => w.free)) - item.reserved);
  }
}

function checkInvariants(world: World) {
  checkCounters(world);
  for (const sku of SKUS) {
    const stock = readSku(world, sku);
    const items = [...world.items.values()].filter((i) => i.sku === sku);
    expect(stock !== undefined).toBe(world.onHandSet.has(sku));
    if (!stock) {
      expect(items).toEqual([]);
      continue;
    }
    expect(stock.shardCount).toBeGreaterThanOrEqual(1);
    expect(stock.shardCount).toBeLessThanOrEqual(MAX_TEST_SHARDS);
    // Every active shard exists; retired shards hold nothing at all.
    for (let s = 0; s < stock.shardCount; s++) expect(world.items.has(itemKey(sku, s))).toBe(true);
    for (const item of items.filter((i) => i.shard >= stock.shardCount)) {
      expect([item.available, item.reserved, ...Object.values(item.warehouses).flatMap((w) => [w.onHand, w.free])].every((v) => v === 0)).toBe(
        true,
      );
    }
    // (c) per shard, what is held equals what live reservations hold there...
    const held = heldBy(world, sku);
    for (const item of items) {
      expect(item.reserved).toBe(held.lockedPerShard.get(item.shard) ?? 0);
      for (const [id, w] of Object.entries(item.warehouses)) expect(w.onHand - w.free).toBe(held.allocatedPerShard.get(`${item.shard}#${id}`) ?? 0);
    }
    for (const shard of held.shardsUsed) expect(shard).toBeLessThan(stock.shardCount);
    // ...so summed over shards too, and on-hand per warehouse is exactly the last one set.
    expect(sum(items.map((i) => i.reserved))).toBe(held.locked);
    const set = world.onHandSet.get(sku)!;
    for (const id of new Set([...Object.keys(set), ...items.flatMap((i) => Object.keys(i.warehouses))])) {
      expect(sum(items.map((i) => i.warehouses[id]?.onHand ?? 0))).toBe(set[id] ?? 0);
      expect(sum(items.map((i) => (i.warehouses[id] ? i.warehouses[id].onHand - i.warehouses[id].free : 0)))).toBe(
        held.allocatedPerWarehouse[id] ?? 0,
      );
    }
    const view = inventoryView(stock);
    expect(view.onHand).toBe(sum(Object.values(set)));
    expect(view.reserved).toBe(held.locked + sum(Object.values(held.allocatedPerWarehouse)));
    expect(view.availableToPromise + view.reserved).toBe(view.onHand);
    expect(view.availableToPromise).toBe(totalAvailable(world, sku));
    for (const [id, w] of Object.entries(view.warehouses)) expect(w.onHand).toBe(set[id] ?? 0);
  }
  // Every reservation holds exactly its lines, in shards that exist.
  for (const r of world.reservations.values()) {
    const parts: Array<{ sku: string; quantity: number }> = r.state === 'LOCKED' ? r.locks : r.allocations;
    for (const p of parts) expect(p.quantity).toBeGreaterThan(0);
    for (const line of r.lines) expect(sum(parts.filter((p) => p.sku === line.sku).map((p) => p.quantity))).toBe(line.quantity);
    expect(parts.every((p) => r.lines.some((l) => l.sku === p.sku))).toBe(true);
  }
}

// ---------------------------------------------------------------------------
// The steps, as the use cases take them.
// ---------------------------------------------------------------------------

/** A duplicate of a step (at-least-once execution) re-sends the same transaction: refused, nothing changes. */
function expectDuplicateRefused(world: World, tx: Tx) {
  const before = cloneWorld(world);
  expect(transact(world, tx)).toBe(false);
  expect(world).toEqual(before);
  seen.duplicateRefused++;
}

/** lockStock: home shards first without reading stock, then spread over the shards read. */
function lockStep(world: World, lines: SkuQuantity[], staleCount: number | null, retry: boolean) {
  const orderId = `o${String(world.nextOrder++).padStart(4, '0')}`;
  const skus = lines.map((l) => l.sku);
  const totals = new Map(skus.map((sku) => [sku, totalAvailable(world, sku)]));
  const fits = lines.every((l) => totals.get(l.sku)! >= l.quantity);
  // The shard-count cache may be stale: a lock in a shard that is gone or empty is refused, then spread.
  const counts = shardCountsOf(world, skus);
  if (staleCount !== null) for (const sku of skus) counts.set(sku, staleCount);
  let locks = homeLocks(orderId, lines, counts);
  expect(locks.map((l) => l.shard)).toEqual(lines.map((l) => homeShard(orderId, counts.get(l.sku)!)));
  let tx: Tx = { orderId, expected: 'ABSENT', write: { orderId, state: 'LOCKED', lines, locks }, moves: lockMoves(locks) };
  if (transact(world, tx)) {
    seen.homeLock++;
  } else {
    try {
      locks = spreadLocks(orderId, lines, readMany(world, skus));
    } catch (error) {
      if (!(error instanceof OutOfStock)) throw error;
      // (d) refused after spreading only when the shards together really were short, listing exactly those SKUs.
      expect(fits).toBe(false);
      expect(error.skus).toEqual(lines.filter((l) => totals.get(l.sku)! < l.quantity).map((l) => l.sku));
      seen.outOfStock++;
      return;
    }
    expect(fits).toBe(true);
    for (const line of lines) {
      const own = locks.filter((l) => l.sku === line.sku);
      expect(sum(own.map((l) => l.quantity))).toBe(line.quantity);
      for (const l of own) {
        expect(l.quantity).toBeGreaterThan(0);
        expect(l.shard).toBeLessThan(world.shardCounts.get(line.sku)!);
      }
    }
    tx = { orderId, expected: 'ABSENT', write: { orderId, state: 'LOCKED', lines, locks }, moves: lockMoves(locks) };
    // Nothing raced the read: the spread lock must go through.
    expect(transact(world, tx)).toBe(true);
    seen.spreadLock++;
  }
  // (d) a lock succeeded only where the total available covered it.
  expect(fits).toBe(true);
  if (retry) expectDuplicateRefused(world, tx);
}

function pickReservation(world: World, pick: number, state?: ReservationState): Reservation | undefined {
  const live = [...world.reservations.values()].filter((r) => !state || r.state === state).sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
  return live.length === 0 ? undefined : live[pick % live.length];
}

/** The route: per line, one warehouse offering it all, or a split over the offers; undefined: no route. */
function chooseAllocations(lines: readonly SkuQuantity[], offers: Record<string, Record<string, number>>, choices: readonly number[]): Allocation[] | undefined {
  const allocations: Allocation[] = [];
  for (const [i, { sku, quantity }] of lines.entries()) {
    const choice = choices[i % choices.length]!;
    const offered = Object.entries(offers[sku] ?? {})
      .filter(([, units]) => units > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const whole = offered.filter(([, units]) => units >= quantity);
    if (choice % 3 !== 0 && whole.length > 0) {
      allocations.push({ sku, warehouseId: whole[choice % whole.length]![0], quantity });
      continue;
    }
    // A split, starting at a chosen warehouse, taking what each offers.
    let left = quantity;
    for (let j = 0; j < offered.length && left > 0; j++) {
      const [warehouseId, units] = offered[(j + choice) % offered.length]!;
      const take = Math.min(units, left);
      allocations.push({ sku, warehouseId, quantity: take });
      left -= take;
    }
    if (left > 0) return undefined;
  }
  return allocations;
}

/**
 * (g) allocatableStock never offers more at a warehouse than planAllocation delivers
 * for the SKU's whole lock there, and it offers all it can: a single-warehouse
 * allocation is planned iff the offer covers it, and the plan applies cleanly.
 */
function checkOffers(world: World, r: Extract<Reservation, { state: 'LOCKED' }>, stock: Map<string, SkuStock>) {
  const offers = allocatableStock(r.locks, stock);
  for (const { sku, quantity } of r.lines) {
    const locks = r.locks.filter((l) => l.sku === sku);
    for (const warehouseId of WAREHOUSES) {
      const offered = offers[sku]?.[warehouseId] ?? 0;
      const plan = planAllocation(locks, [{ sku, warehouseId, quantity }], stock);
      expect({ sku, warehouseId, offered, quantity, planned: plan !== undefined }).toEqual({
        sku,
        warehouseId,
        offered,
        quantity,
        planned: Math.min(offered, quantity) === quantity,
      });
      if (!plan) continue;
      const scratch = cloneWorld(world);
      scratch.reservations.delete(r.orderId);
      expect(transact(scratch, { orderId: r.orderId, expected: 'ABSENT', write: null, moves: plan.moves })).toBe(true);
      checkCounters(scratch);
      expect(totalAvailable(scratch, sku)).toBe(totalAvailable(world, sku));
    }
  }
}

/** routeOrder: allocatableStock -> a route over the offers -> planAllocation -> one transaction. */
function allocateStep(world: World, pick: number, choices: number[], retry: boolean) {
  const r = pickReservation(world, pick, 'LOCKED');
  if (!r || r.state !== 'LOCKED') return;
  const stock = readMany(world, r.lines.map((l) => l.sku));
  checkOffers(world, r, stock);
  const allocations = chooseAllocations(r.lines, allocatableStock(r.locks, stock), choices);
  if (!allocations) return;
  const split = r.lines.some((l) => allocations.filter((a) => a.sku === l.sku).length > 1);
  if (split) seen.splitAllocation++;
  const plan = planAllocation(r.locks, allocations, stock);
  if (!plan) {
    // Only a split over several warehouses may be undeliverable: offers share each shard's available.
    expect(split).toBe(true);
    seen.undeliverableSplit++;
    return;
  }
  // The plan gives exactly the route's units per SKU and warehouse, from active shards.
  const perWarehouse = (list: readonly Allocation[]) => {
    const totals: Record<string, number> = {};
    for (const a of list) totals[`${a.sku}@${a.warehouseId}`] = (totals[`${a.sku}@${a.warehouseId}`] ?? 0) + a.quantity;
    return totals;
  };
  expect(perWarehouse(plan.allocations)).toEqual(perWarehouse(allocations));
  for (const a of plan.allocations) {
    expect(a.quantity).toBeGreaterThan(0);
    expect(a.shard).toBeLessThan(stock.get(a.sku)!.shardCount);
  }
  if (plan.allocations.some((a) => !r.locks.some((l) => l.sku === a.sku && l.shard === a.shard))) seen.crossShardAllocation++;
  else seen.ownShardAllocation++;
  const before = new Map(r.lines.map((l) => [l.sku, totalAvailable(world, l.sku)]));
  const tx: Tx = {
    orderId: r.orderId,
    expected: 'LOCKED',
    write: { orderId: r.orderId, state: 'ALLOCATED', lines: r.lines, allocations: plan.allocations, capacityDay: '2025-01-31' },
    moves: plan.moves,
  };
  // (g) planned against what was just read, the moves go through.
  expect(transact(world, tx)).toBe(true);
  // Allocation turns a lock into units at warehouses: available-to-promise is unchanged.
  for (const l of r.lines) expect(totalAvailable(world, l.sku)).toBe(before.get(l.sku));
  if (retry) expectDuplicateRefused(world, tx);
}

/** releaseAllocation: allocations back to a lock (locksOf) in the shards the units came from. */
function releaseAllocationStep(world: World, pick: number, retry: boolean) {
  const r = pickReservation(world, pick, 'ALLOCATED');
  if (!r || r.state !== 'ALLOCATED') return;
  const tx: Tx = {
    orderId: r.orderId,
    expected: 'ALLOCATED',
    write: { orderId: r.orderId, state: 'LOCKED', lines: r.lines, locks: locksOf(r.allocations) },
    moves: releaseAllocationMoves(r.allocations),
  };
  // Compensation for a live reservation is never refused.
  expect(transact(world, tx)).toBe(true);
  if (retry) expectDuplicateRefused(world, tx);
}

function releaseLockStep(world: World, pick: number, retry: boolean) {
  const r = pickReservation(world, pick, 'LOCKED');
  if (!r || r.state !== 'LOCKED') return;
  const tx: Tx = { orderId: r.orderId, expected: 'LOCKED', write: null, moves: releaseLockMoves(r.locks) };
  expect(transact(world, tx)).toBe(true);
  if (retry) expectDuplicateRefused(world, tx);
}

/** releaseStock (cancel): whatever the reservation holds, back to available-to-promise. */
function cancelStep(world: World, pick: number, retry: boolean) {
  const r = pickReservation(world, pick);
  if (!r) return;
  const tx: Tx = { orderId: r.orderId, expected: r.state, write: null, moves: releaseReservationMoves(r) };
  expect(transact(world, tx)).toBe(true);
  if (retry) expectDuplicateRefused(world, tx);
}

/** Why setOnHand must refuse, from the reservations alone (not the counters). */
function refusalReason(world: World, sku: string, desired: Record<string, number>, shardCount: number): string | undefined {
  const held = heldBy(world, sku);
  if ([...held.shardsUsed].some((shard) => shard >= shardCount)) return 'retired';
  for (const [id, units] of Object.entries(held.allocatedPerWarehouse)) if ((desired[id] ?? 0) < units) return 'held';
  if (held.locked > sum(Object.values(desired)) - sum(Object.values(held.allocatedPerWarehouse))) return 'promised';
  return undefined;
}

function recordSet(world: World, sku: string, desired: Record<string, number>) {
  const previous = world.onHandSet.get(sku) ?? {};
  world.onHandSet.set(sku, { ...Object.fromEntries(Object.keys(previous).map((id) => [id, 0])), ...desired });
}

/** The store's setOnHand with nothing racing it: read (up to the new count), compute, write. */
function setStep(world: World, sku: string, desired: Record<string, number>, shardCount: number, retry: boolean) {
  if (world.pending?.sku === sku) return; // an operator's write is in flight for this SKU (see the skew test)
  const current = readSku(world, sku, shardCount);
  const reason = refusalReason(world, sku, desired, shardCount);
  let change: OnHandChange;
  try {
    change = setOnHand(sku, current, desired, shardCount);
  } catch (error) {
    if (!(error instanceof InventoryConflict)) throw error;
    expect(reason).toBeDefined();
    if (reason === 'retired') seen.setRefusedRetired++;
    else if (reason === 'held') seen.setRefusedHeld++;
    else seen.setRefusedPromised++;
    return;
  }
  expect(reason).toBeUndefined();
  if (current && shardCount < current.shardCount) seen.shardCountLowered++;
  if (current && shardCount > current.shardCount) seen.shardCountRaised++;
  for (const c of change.shards) expect(c.move.reserved).toBe(0);
  expect(writeOnHand(world, change, current?.revision ?? 0)).toBe(true);
  recordSet(world, sku, desired);
  // What is not held for orders is spread evenly over the active shards.
  const active = readSku(world, sku)!.shards.filter((s) => s.shard < shardCount).map((s) => s.available);
  expect(active).toHaveLength(shardCount);
  expect(Math.max(...active) - Math.min(...active)).toBeLessThanOrEqual(1);
  if (retry) {
    // A duplicate write of the same change is refused by its guards, or changes nothing...
    const before = cloneWorld(world);
    writeOnHand(world, change, current?.revision ?? 0);
    expect(world).toEqual(before);
    // ...and setting the same again computes no change at all.
    const again = setOnHand(sku, readSku(world, sku, shardCount), desired, shardCount);
    expect(again.shards.map((c) => c.shard)).toEqual([0]);
    expect(again.shards[0]!.move).toEqual({ sku, shard: 0, available: 0, reserved: 0, free: {} });
    expect(again.shards[0]!.newOnHand).toEqual(again.shards[0]!.expectedOnHand);
  }
}

/** An operator reads and computes a setOnHand now, and writes it later (orders run in between). */
function beginSet(world: World, sku: string, desired: Record<string, number>, shardCount: number) {
  if (world.pending) return;
  const current = readSku(world, sku, shardCount);
  try {
    world.pending = { sku, desired, change: setOnHand(sku, current, desired, shardCount), readRevision: current?.revision ?? 0 };
  } catch (error) {
    if (!(error instanceof InventoryConflict)) throw error;
  }
}

function commitSet(world: World) {
  const pending = world.pending;
  if (!pending) return;
  world.pending = undefined;
  const before = cloneWorld(world);
  if (writeOnHand(world, pending.change, pending.readRevision)) {
    recordSet(world, pending.sku, pending.desired);
    seen.staleSetCommitted++;
  } else {
    // The store reads again and recomputes; a refused write changed nothing.
    expect(world).toEqual(before);
    seen.staleSetRefused++;
  }
}

type Op =
  | { kind: 'set'; sku: string; desired: Record<string, number>; shardCount: number; retry: boolean }
  | {
      kind: 'setTight';
      sku: string;
      deltas: number[];
      promised: { to: number; delta: number } | null;
      shardCount: number;
      retry: boolean;
    }
  | { kind: 'beginSet'; sku: string; desired: Record<string, number>; shardCount: number }
  | { kind: 'commitSet' }
  | { kind: 'lock'; lines: SkuQuantity[]; staleCount: number | null; retry: boolean }
  | { kind: 'allocate'; pick: number; choices: number[]; retry: boolean }
  | { kind: 'releaseAllocation'; pick: number; retry: boolean }
  | { kind: 'releaseLock'; pick: number; retry: boolean }
  | { kind: 'cancel'; pick: number; retry: boolean };

function step(world: World, op: Op) {
  switch (op.kind) {
    case 'set':
      return setStep(world, op.sku, op.desired, op.shardCount, op.retry);
    case 'setTight': {
      // On-hand at or near what is allocated at each warehouse, or what is allocated plus what is
      // locked: the refusal boundaries.
      const held = heldBy(world, op.sku);
      const desired = Object.fromEntries(
        WAREHOUSES.map((id, i) => [id, Math.max(0, (held.allocatedPerWarehouse[id] ?? 0) + (op.promised ? 0 : op.deltas[i]!))]),
      );
      if (op.promised) desired[WAREHOUSES[op.promised.to]!]! += Math.max(0, held.locked + op.promised.delta);
      return setStep(world, op.sku, desired, op.shardCount, op.retry);
    }
    case 'beginSet':
      return beginSet(world, op.sku, op.desired, op.shardCount);
    case 'commitSet':
      return commitSet(world);
    case 'lock':
      return lockStep(world, op.lines, op.staleCount, op.retry);
    case 'allocate':
      return allocateStep(world, op.pick, op.choices, op.retry);
    case 'releaseAllocation':
      return releaseAllocationStep(world, op.pick, op.retry);
    case 'releaseLock':
      return releaseLockStep(world, op.pick, op.retry);
    case 'cancel':
      return cancelStep(world, op.pick, op.retry);
  }
}

function opArb(scale: { units: number; quantity: number }): fc.Arbitrary<Op> {
  const desired = fc.dictionary(fc.constantFrom(...WAREHOUSES), fc.integer({ min: 0, max: scale.units }));
  const shardCount = fc.integer({ min: 1, max: MAX_TEST_SHARDS });
  const retry = fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) });
  const pick = fc.nat();
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), sku: fc.constantFrom(...SKUS), desired, shardCount, retry }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('setTight' as const),
        sku: fc.constantFrom(...SKUS),
        deltas: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: WAREHOUSES.length, maxLength: WAREHOUSES.length }),
        promised: fc.option(fc.record({ to: fc.integer({ min: 0, max: WAREHOUSES.length - 1 }), delta: fc.integer({ min: -1, max: 1 }) })),
        shardCount,
        retry,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('beginSet' as const), sku: fc.constantFrom(...SKUS), desired, shardCount }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('commitSet' as const) }) },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('lock' as const),
        lines: fc
          .array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: scale.quantity }) }), { minLength: 1, maxLength: 3 })
          .map((lines) => aggregateLines(lines)),
        staleCount: fc.option(shardCount, { freq: 4 }),
        retry,
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('allocate' as const), pick, choices: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), retry }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseAllocation' as const), pick, retry }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseLock' as const), pick, retry }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick, retry }) },
  );
}

const SMALL = { units: 12, quantity: 6 };
const LARGE = { units: 1_000_000_000, quantity: 400_000_000 };

/** Both SKUs stocked at the start, with random counts and shard counts. */
const stockedStartArb = (scale: { units: number }) =>
  fc.array(
    fc.record({
      desired: fc.record({ W1: fc.nat({ max: scale.units }), W2: fc.nat({ max: scale.units }), W3: fc.nat({ max: scale.units }) }),
      shardCount: fc.integer({ min: 1, max: MAX_TEST_SHARDS }),
    }),
    { minLength: SKUS.length, maxLength: SKUS.length },
  );

function stockedWorld(start: Array<{ desired: Record<string, number>; shardCount: number }>): World {
  const world = newWorld();
  SKUS.forEach((sku, i) => setStep(world, sku, start[i]!.desired, start[i]!.shardCount, false));
  checkInvariants(world);
  return world;
}

function cancelEverything(world: World) {
  commitSet(world);
  while (world.reservations.size > 0) {
    cancelStep(world, 0, false);
    checkInvariants(world);
  }
}

describe('sharded stock invariants (property-based)', () => {
  it('(a)-(d), (g) hold after every step of any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(opArb(SMALL), { maxLength: 50 }), (ops) => {
        const world = newWorld();
        for (const op of ops) {
          step(world, op);
          checkInvariants(world);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('hold when starting from stocked, sharded SKUs (more locks, spreads and allocations succeed)', () => {
    fc.assert(
      fc.property(stockedStartArb(SMALL), fc.array(opArb(SMALL), { maxLength: 50 }), (start, ops) => {
        const world = stockedWorld(start);
        for (const op of ops) {
          step(world, op);
          checkInvariants(world);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('hold with counts up to 1e9 per warehouse, staying exact', () => {
    fc.assert(
      fc.property(stockedStartArb(LARGE), fc.array(opArb(LARGE), { maxLength: 40 }), (start, ops) => {
        const world = stockedWorld(start);
        for (const op of ops) {
          step(world, op);
          checkInvariants(world);
        }
        cancelEverything(world);
      }),
      { numRuns: 60 },
    );
  });

  it('(e) after everything is cancelled, available-to-promise equals on-hand and on-hand is what was set', () => {
    fc.assert(
      fc.property(stockedStartArb(SMALL), fc.array(opArb(SMALL), { maxLength: 40 }), (start, ops) => {
        const world = stockedWorld(start);
        for (const op of ops) step(world, op);
        cancelEverything(world);
        expect(world.reservations.size).toBe(0);
        for (const sku of SKUS) {
          const view = inventoryView(readSku(world, sku)!);
          expect(view.availableToPromise).toBe(view.onHand);
          expect(view.reserved).toBe(0);
          const set = world.onHandSet.get(sku)!;
          expect(view.onHand).toBe(sum(Object.values(set)));
          for (const [id, units] of Object.entries(set)) expect(view.warehouses[id]?.onHand ?? 0).toBe(units);
          for (const item of world.items.values()) {
            expect(item.reserved).toBe(0);
            for (const w of Object.values(item.warehouses)) expect(w.free).toBe(w.onHand);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('exercised every path (spread, cross-shard, retired shards, stale writes, duplicates)', () => {
    // Runs after the properties above (same file, sequential).
    expect(seen.homeLock).toBeGreaterThan(0);
    expect(seen.spreadLock).toBeGreaterThan(0);
    expect(seen.outOfStock).toBeGreaterThan(0);
    expect(seen.ownShardAllocation).toBeGreaterThan(0);
    expect(seen.crossShardAllocation).toBeGreaterThan(0);
    expect(seen.splitAllocation).toBeGreaterThan(0);
    expect(seen.setRefusedRetired).toBeGreaterThan(0);
    expect(seen.setRefusedHeld).toBeGreaterThan(0);
    expect(seen.setRefusedPromised).toBeGreaterThan(0);
    expect(seen.shardCountLowered).toBeGreaterThan(0);
    expect(seen.shardCountRaised).toBeGreaterThan(0);
    expect(seen.staleSetCommitted).toBeGreaterThan(0);
    expect(seen.staleSetRefused).toBeGreaterThan(0);
    expect(seen.duplicateRefused).toBeGreaterThan(0);
  });
});

describe('orders racing for a sharded SKU (property-based)', () => {
  type Racer = { orderId: string; quantity: number; phase: 'home' | 'spread' | 'done' | 'refused'; tx?: Tx; attempts: number };

  it('(f) N orders racing for K units lock exactly what fits: never more than K, never refusing a lock that fits', () => {
    const arb = fc.record({
      units: fc.record({ W1: fc.nat({ max: 20 }), W2: fc.nat({ max: 20 }), W3: fc.nat({ max: 20 }) }),
      shardCount: fc.integer({ min: 1, max: MAX_TEST_SHARDS }),
      quantities: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 14 }),
      schedule: fc.array(fc.nat(), { maxLength: 300 }),
    });
    fc.assert(
      fc.property(arb, ({ units, shardCount, quantities, schedule }) => {
        const world = newWorld();
        setStep(world, 'A', units, shardCount, false);
        const k = sum(Object.values(units));
        const racers: Racer[] = quantities.map((quantity, i) => ({ orderId: `race-${i}`, quantity, phase: 'home', attempts: 0 }));
        const lines = (r: Racer) => [{ sku: 'A', quantity: r.quantity }];
        // Each tick, one racer takes its next action: a read-and-compute, or a write of what it computed.
        let tick = 0;
        for (;;) {
          const running = racers.filter((r) => r.phase === 'home' || r.phase === 'spread');
          if (running.length === 0) break;
          const r = running[(schedule[tick] ?? tick) % running.length]!;
          tick++;
          if (!r.tx) {
            let locks: ShardQuantity[];
            if (r.phase === 'home') {
              locks = homeLocks(r.orderId, lines(r), shardCountsOf(world, ['A']));
            } else {
              const available = totalAvailable(world, 'A');
              try {
                locks = spreadLocks(r.orderId, lines(r), readMany(world, ['A']));
              } catch (error) {
                if (!(error instanceof OutOfStock)) throw error;
                expect(available).toBeLessThan(r.quantity); // refused only when the read total is short
                r.phase = 'refused';
                continue;
              }
              expect(available).toBeGreaterThanOrEqual(r.quantity);
            }
            r.tx = { orderId: r.orderId, expected: 'ABSENT', write: { orderId: r.orderId, state: 'LOCKED', lines: lines(r), locks }, moves: lockMoves(locks) };
            continue;
          }
          r.attempts++;
          const ok = transact(world, r.tx);
          r.tx = undefined;
          if (ok) r.phase = 'done';
          else r.phase = 'spread'; // stale read or short home shard: read every shard and spread
          checkInvariants(world);
          // Lock-free: a write fails only because another order's lock went through since the read.
          expect(r.attempts).toBeLessThanOrEqual(2 + racers.filter((o) => o.phase === 'done').length);
        }
        const locked = sum(racers.filter((r) => r.phase === 'done').map((r) => r.quantity));
        const left = totalAvailable(world, 'A');
        expect(locked).toBeLessThanOrEqual(k);
        expect(left).toBe(k - locked);
        expect(sum([...world.items.values()].map((i) => i.reserved))).toBe(locked);
        // Nothing was released, so what is left now is the most any refused order could have seen.
        for (const r of racers.filter((o) => o.phase === 'refused')) expect(r.quantity).toBeGreaterThan(left);
        // With no refusal, every order got its units; otherwise the stock left is less than the smallest refused order.
        if (racers.every((r) => r.phase === 'done')) expect(locked).toBe(sum(quantities));
      }),
      { numRuns: 300 },
    );
  });
});

describe('setOnHand racing (store model)', () => {
  it('a setOnHand computed from a stale read and written after order steps keeps every invariant, or is refused', () => {
    const orderOp = opArb(SMALL).filter((op) => !['set', 'setTight', 'beginSet', 'commitSet'].includes(op.kind));
    fc.assert(
      fc.property(
        stockedStartArb(SMALL),
        fc.array(orderOp, { maxLength: 15 }),
        fc.record({
          sku: fc.constantFrom(...SKUS),
          desired: fc.record({ W1: fc.nat({ max: 12 }), W2: fc.nat({ max: 12 }), W3: fc.nat({ max: 12 }) }),
          shardCount: fc.integer({ min: 1, max: MAX_TEST_SHARDS }),
        }),
        fc.array(orderOp, { maxLength: 15 }),
        (start, before, set, between) => {
          const world = stockedWorld(start);
          for (const op of before) step(world, op);
          beginSet(world, set.sku, set.desired, set.shardCount);
          for (const op of between) {
            step(world, op);
            checkInvariants(world);
          }
          commitSet(world);
          checkInvariants(world);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('two operators setting on-hand at once: the result is one of the counts set, never a mix', () => {
    // A: 11 units at W1 over 3 shards (4, 4, 3). Both operators read that.
    const world = newWorld();
    setStep(world, 'A', { W1: 11 }, 3, false);
    expect(readSku(world, 'A')!.shards.map((s) => s.warehouses.W1!.onHand)).toEqual([4, 4, 3]);
    const read = readSku(world, 'A', 3);
    const twelve = setOnHand('A', read, { W1: 12 }, 3); // changes shard 2 (3 -> 4), shard 0 unchanged
    const ten = setOnHand('A', read, { W1: 10 }, 3); // changes shard 1 (4 -> 3), shard 0 unchanged
    expect(twelve.shards.map((s) => s.shard)).toEqual([0, 2]);
    expect(ten.shards.map((s) => s.shard)).toEqual([0, 1]);
    expect(writeOnHand(world, twelve, read!.revision)).toBe(true);
    const tenWritten = writeOnHand(world, ten, read!.revision);
    const total = sum([...world.items.values()].map((i) => i.warehouses.W1?.onHand ?? 0));
    // Either the second write is refused (the store reads again and sets 10 on fresh stock), or it wins with 10.
    expect({ tenWritten, total }).toEqual(tenWritten ? { tenWritten, total: 10 } : { tenWritten, total: 12 });
  });

  it('setOnHand gives each shard a proportional slice of each of two warehouses, within a unit', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 200 }),
        fc.nat({ max: 200 }),
        fc.integer({ min: 1, max: 12 }),
        (w1, w2, shardCount) => {
          const change = setOnHand('A', undefined, { W1: w1, W2: w2 }, shardCount);
          const total = w1 + w2;
          if (total === 0) return;
          for (const c of change.shards) {
            const goal = c.newOnHand.W1! + c.newOnHand.W2!;
            expect(Math.abs(c.newOnHand.W1! - (w1 * goal) / total)).toBeLessThanOrEqual(1);
            expect(Math.abs(c.newOnHand.W2! - (w2 * goal) / total)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});
