/**
 * Stock accounting across counter shards, without mocks: unit tests of each
 * function with concrete numbers. The property tests that drive random operation
 * sequences through a model of the sharded table are in stock.properties.test.ts.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { InventoryConflict, OutOfStock } from '../../functions/domain/errors.ts';
import {
  MAX_SHARDS,
  aggregateLines,
  allocatableStock,
  applyMove,
  homeLocks,
  homeShard,
  inventoryView,
  lockMoves,
  locksOf,
  parcelWarehouses,
  planAllocation,
  releaseAllocationMoves,
  releaseLockMoves,
  releaseReservationMoves,
  setOnHand,
  spreadLocks,
  type OnHandChange,
  type Reservation,
  type ShardAllocation,
  type SkuStock,
  type StockMove,
  type StockShard,
} from '../../functions/domain/stock.ts';

/** A shard; warehouses as [onHand, free]. */
function shard(sku: string, n: number, available: number, reserved: number, warehouses: Record<string, [number, number]>): StockShard {
  return {
    sku,
    shard: n,
    available,
    reserved,
    warehouses: Object.fromEntries(Object.entries(warehouses).map(([id, [onHand, free]]) => [id, { onHand, free }])),
  };
}

function skuStock(sku: string, shardCount: number, shards: StockShard[]): SkuStock {
  return { sku, shardCount, revision: 0, shards };
}

const stockMap = (...skus: SkuStock[]) => new Map(skus.map((s) => [s.sku, s]));

const move = (sku: string, n: number, available: number, reserved: number, free: Record<string, number> = {}): StockMove => ({
  sku,
  shard: n,
  available,
  reserved,
  free,
});

/** Applies moves to a SKU's shards, all or nothing (applyMove throws on a refused move). */
function applyAll(stock: SkuStock, moves: readonly StockMove[]): SkuStock {
  const shards = new Map(stock.shards.map((s) => [s.shard, s]));
  for (const m of moves) {
    expect(m.sku).toBe(stock.sku);
    const current = shards.get(m.shard);
    if (!current) throw new InventoryConflict(`no shard ${m.shard}`);
    shards.set(m.shard, applyMove(current, m));
  }
  return { ...stock, shards: [...shards.values()].sort((a, b) => a.shard - b.shard) };
}

/** What the store does with an OnHandChange (see stock-store.ts shardChangeItem / onHandExpression), no race. */
function applyOnHand(current: SkuStock | undefined, change: OnHandChange): SkuStock {
  const shards = new Map((current?.shards ?? []).map((s) => [s.shard, structuredClone(s)]));
  for (const c of change.shards) {
    const before = shards.get(c.shard);
    expect(c.exists).toBe(before !== undefined);
    if (!before) {
      expect(c.move.reserved).toBe(0);
      shards.set(c.shard, {
        sku: change.sku,
        shard: c.shard,
        available: c.move.available,
        reserved: 0,
        warehouses: Object.fromEntries(Object.entries(c.newOnHand).map(([id, onHand]) => [id, { onHand, free: onHand }])),
      });
      continue;
    }
    const existingFree = Object.fromEntries(Object.entries(c.move.free).filter(([id]) => c.expectedOnHand[id] !== undefined));
    const next = applyMove(before, { ...c.move, free: existingFree });
    for (const [id, onHand] of Object.entries(c.newOnHand)) {
      const expected = c.expectedOnHand[id];
      if (expected === undefined) {
        expect(before.warehouses[id]).toBeUndefined();
        next.warehouses[id] = { onHand, free: onHand };
      } else {
        expect(before.warehouses[id]!.onHand).toBe(expected);
        next.warehouses[id] = { ...next.warehouses[id]!, onHand };
      }
    }
    shards.set(c.shard, next);
  }
  return {
    sku: change.sku,
    shardCount: change.shardCount,
    revision: (current?.revision ?? 0) + 1,
    shards: [...shards.values()].sort((a, b) => a.shard - b.shard),
  };
}

const sum = (values: Iterable<number>) => [...values].reduce((s, v) => s + v, 0);
const sumFree = (s: StockShard) => sum(Object.values(s.warehouses).map((w) => w.free));
const onHandAt = (stock: SkuStock, warehouseId: string) => sum(stock.shards.map((s) => s.warehouses[warehouseId]?.onHand ?? 0));

function expectShardInvariants(stock: SkuStock) {
  for (const s of stock.shards) {
    expect(s.available).toBeGreaterThanOrEqual(0);
    expect(s.reserved).toBeGreaterThanOrEqual(0);
    for (const w of Object.values(s.warehouses)) {
      expect(w.free).toBeGreaterThanOrEqual(0);
      expect(w.onHand).toBeGreaterThanOrEqual(w.free);
    }
    expect(s.available).toBe(sumFree(s) - s.reserved);
  }
}

function expectConflict(fn: () => unknown, message?: RegExp) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InventoryConflict);
  expect((thrown as Error).name).toBe('InventoryConflict');
  if (message) expect((thrown as Error).message).toMatch(message);
}

function outOfStock(fn: () => unknown): OutOfStock {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(OutOfStock);
  expect((thrown as Error).name).toBe('OutOfStock');
  return thrown as OutOfStock;
}

/** FNV-1a written out independently, to pin the hash the store's data depends on. */
function fnv1a(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash = (hash ^ text.charCodeAt(i)) >>> 0;
    hash = Number((BigInt(hash) * 16777619n) % 4294967296n);
  }
  return hash;
}

describe('aggregateLines', () => {
  it('sums quantities per SKU and sorts by SKU', () => {
    expect(
      aggregateLines([
        { sku: 'TEA-002', quantity: 1 },
        { sku: 'CUP-001', quantity: 2 },
        { sku: 'TEA-002', quantity: 4 },
        { sku: 'BAG-9', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'BAG-9', quantity: 3 },
      { sku: 'CUP-001', quantity: 2 },
      { sku: 'TEA-002', quantity: 5 },
    ]);
  });

  it('drops other line fields and handles no lines', () => {
    expect(aggregateLines([{ sku: 'A', quantity: 2, unitPrice: 99 } as never])).toEqual([{ sku: 'A', quantity: 2 }]);
    expect(aggregateLines([])).toEqual([]);
  });

  it('for any lines: unique sorted SKUs, same total per SKU', () => {
    const line = fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'a', 'B-1'), quantity: fc.integer({ min: 1, max: 50 }) });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const out = aggregateLines(lines);
        expect(out.map((l) => l.sku)).toEqual([...new Set(lines.map((l) => l.sku))].sort());
        for (const { sku, quantity } of out) expect(quantity).toBe(sum(lines.filter((l) => l.sku === sku).map((l) => l.quantity)));
      }),
    );
  });
});

describe('homeShard and homeLocks', () => {
  it('is FNV-1a of the order id modulo the shard count', () => {
    expect(homeShard('', 5)).toBe(2166136261 % 5);
    expect([1, 2, 3, 4, 5, 50].map((n) => homeShard('o1', n))).toEqual([0, 1, 1, 1, 4, 29]);
    expect([1, 2, 3, 4, 5, 50].map((n) => homeShard('o3', n))).toEqual([0, 1, 0, 3, 1, 41]);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: MAX_SHARDS }), (id, n) => {
        expect(homeShard(id, n)).toBe(fnv1a(id) % n);
      }),
    );
  });

  it('is stable (a retried step picks the same shard), in range, and 0 with one shard or none', () => {
    for (const id of ['o1', 'order-42', '01J8ZK3Q']) {
      expect(homeShard(id, 7)).toBe(homeShard(id, 7));
      expect(homeShard(id, 1)).toBe(0);
      expect(homeShard(id, 0)).toBe(0);
    }
  });

  it('spreads order ids over every shard', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 4000; i++) counts[homeShard(`order-${i}`, 8)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(350); // 500 each on average
  });

  it('homeLocks puts every line in its home shard, using 1 shard for a SKU without a known count', () => {
    const lines = [
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 7 },
      { sku: 'C', quantity: 1 },
    ];
    expect(homeLocks('o1', lines, new Map([['A', 4], ['B', 50]]))).toEqual([
      { sku: 'A', quantity: 2, shard: 1 },
      { sku: 'B', quantity: 7, shard: 29 },
      { sku: 'C', quantity: 1, shard: 0 },
    ]);
  });
});

describe('spreadLocks', () => {
  // Order o1's home shard is 1 of 4; o3's is 3 of 4.
  const a = skuStock('A', 4, [
    shard('A', 0, 2, 0, { W1: [2, 2] }),
    shard('A', 1, 1, 3, { W1: [4, 4] }),
    shard('A', 2, 5, 0, { W1: [3, 3], W2: [2, 2] }),
    shard('A', 3, 5, 0, { W2: [5, 5] }),
  ]);

  it('takes everything from the home shard when it has enough', () => {
    expect(spreadLocks('o3', [{ sku: 'A', quantity: 5 }], stockMap(a))).toEqual([{ sku: 'A', shard: 3, quantity: 5 }]);
  });

  it('takes the home shard first, then the next shards onwards from it, sorted by shard', () => {
    expect(spreadLocks('o1', [{ sku: 'A', quantity: 9 }], stockMap(a))).toEqual([
      { sku: 'A', shard: 1, quantity: 1 },
      { sku: 'A', shard: 2, quantity: 5 },
      { sku: 'A', shard: 3, quantity: 3 },
    ]);
    // Exactly everything there is.
    expect(spreadLocks('o1', [{ sku: 'A', quantity: 13 }], stockMap(a))).toEqual([
      { sku: 'A', shard: 0, quantity: 2 },
      { sku: 'A', shard: 1, quantity: 1 },
      { sku: 'A', shard: 2, quantity: 5 },
      { sku: 'A', shard: 3, quantity: 5 },
    ]);
  });

  it('skips an empty home shard', () => {
    const empty = skuStock('A', 4, a.shards.map((s) => (s.shard === 1 ? shard('A', 1, 0, 4, { W1: [4, 4] }) : s)));
    expect(spreadLocks('o1', [{ sku: 'A', quantity: 6 }], stockMap(empty))).toEqual([
      { sku: 'A', shard: 2, quantity: 5 },
      { sku: 'A', shard: 3, quantity: 1 },
    ]);
  });

  it('throws OutOfStock listing only the short SKUs when the shards together have too little', () => {
    const b = skuStock('B', 1, [shard('B', 0, 3, 0, { W1: [3, 3] })]);
    const error = outOfStock(() =>
      spreadLocks(
        'o1',
        [
          { sku: 'A', quantity: 14 },
          { sku: 'B', quantity: 3 },
          { sku: 'C', quantity: 1 },
        ],
        stockMap(a, b),
      ),
    );
    expect(error.skus).toEqual(['A', 'C']);
    expect(error.message).toContain('A, C');
  });

  it('ignores shards at or above the shard count (retired)', () => {
    const withRetired = skuStock('A', 4, [...a.shards, shard('A', 4, 10, 0, { W1: [10, 10] })]);
    expect(outOfStock(() => spreadLocks('o1', [{ sku: 'A', quantity: 14 }], stockMap(withRetired))).skus).toEqual(['A']);
    expect(spreadLocks('o1', [{ sku: 'A', quantity: 13 }], stockMap(withRetired)).map((l) => l.shard)).toEqual([0, 1, 2, 3]);
  });

  it('returns locks sorted by SKU then shard for several lines', () => {
    const b = skuStock('B', 2, [shard('B', 0, 1, 0, { W1: [1, 1] }), shard('B', 1, 1, 0, { W1: [1, 1] })]);
    expect(
      spreadLocks(
        'o3',
        [
          { sku: 'A', quantity: 6 },
          { sku: 'B', quantity: 2 },
        ],
        stockMap(b, a),
      ),
    ).toEqual([
      // o3: home shard 3, then shard 0 (onwards from home, wrapping around).
      { sku: 'A', shard: 0, quantity: 1 },
      { sku: 'A', shard: 3, quantity: 5 },
      { sku: 'B', shard: 0, quantity: 1 },
      { sku: 'B', shard: 1, quantity: 1 },
    ]);
  });

  it('the spread lock, applied, succeeds on the stock it was computed from', () => {
    const locks = spreadLocks('o1', [{ sku: 'A', quantity: 13 }], stockMap(a));
    const after = applyAll(a, lockMoves(locks));
    expect(after.shards.map((s) => s.available)).toEqual([0, 0, 0, 0]);
    expect(after.shards.map((s) => s.reserved)).toEqual([2, 4, 5, 5]);
    expectShardInvariants(after);
  });
});

describe('lock and release-lock moves', () => {
  const locks = [
    { sku: 'B', shard: 0, quantity: 5 },
    { sku: 'A', shard: 2, quantity: 1 },
    { sku: 'A', shard: 0, quantity: 2 },
    { sku: 'A', shard: 2, quantity: 3 },
  ];

  it('lock moves available-to-promise into reserved in each shard, merged per shard and sorted', () => {
    expect(lockMoves(locks)).toEqual([move('A', 0, -2, 2), move('A', 2, -4, 4), move('B', 0, -5, 5)]);
    expect(lockMoves([])).toEqual([]);
  });

  it('release-lock is the exact inverse', () => {
    expect(releaseLockMoves(locks)).toEqual([move('A', 0, 2, -2), move('A', 2, 4, -4), move('B', 0, 5, -5)]);
    const start = skuStock('A', 3, [shard('A', 0, 4, 0, { W1: [4, 4] }), shard('A', 1, 0, 0, {}), shard('A', 2, 6, 1, { W2: [7, 7] })]);
    const aLocks = locks.filter((l) => l.sku === 'A');
    const locked = applyAll(start, lockMoves(aLocks));
    expect(locked.shards.map((s) => [s.available, s.reserved])).toEqual([
      [2, 2],
      [0, 0],
      [2, 5],
    ]);
    expect(applyAll(locked, releaseLockMoves(aLocks))).toEqual(start);
  });

  it('locking more than the shard has available is refused, even when other shards have plenty', () => {
    const stock = skuStock('A', 2, [shard('A', 0, 3, 0, { W1: [3, 3] }), shard('A', 1, 100, 0, { W1: [100, 100] })]);
    expect(applyAll(stock, lockMoves([{ sku: 'A', shard: 0, quantity: 3 }])).shards[0]!.available).toBe(0);
    expectConflict(() => applyAll(stock, lockMoves([{ sku: 'A', shard: 0, quantity: 4 }])));
  });
});

describe('allocatableStock', () => {
  // Order holds 3 units locked in shard 0. Shard 0: W1 5 on hand, 1 free (4 allocated); W2 4 free; 2 available.
  // Shard 1: W1 6 free, 2 units locked by another order, 4 available.
  const a = skuStock('A', 2, [shard('A', 0, 2, 3, { W1: [5, 1], W2: [4, 4] }), shard('A', 1, 4, 2, { W1: [6, 6], W2: [0, 0] })]);
  const locks = [{ sku: 'A', shard: 0, quantity: 3 }];

  it('offers, per warehouse, min(free, own lock + available) summed over shards', () => {
    // W1: min(1, 3 + 2) + min(6, 0 + 4) = 5; W2: min(4, 5) + min(0, 4) = 4.
    expect(allocatableStock(locks, stockMap(a))).toEqual({ A: { W1: 5, W2: 4 } });
  });

  it('does not offer units other orders locked in a shard', () => {
    const tight = skuStock('A', 2, [a.shards[0]!, shard('A', 1, 1, 5, { W1: [6, 6] })]);
    expect(allocatableStock(locks, stockMap(tight))).toEqual({ A: { W1: 2, W2: 4 } });
  });

  it('covers only locked SKUs, and a lock spread over shards counts in each', () => {
    const b = skuStock('B', 1, [shard('B', 0, 9, 0, { W3: [9, 9] })]);
    const spread = [
      { sku: 'A', shard: 0, quantity: 1 },
      { sku: 'A', shard: 1, quantity: 2 },
    ];
    const stock = skuStock('A', 2, [shard('A', 0, 0, 1, { W1: [1, 1] }), shard('A', 1, 1, 2, { W1: [1, 1], W2: [2, 2] })]);
    expect(allocatableStock(spread, stockMap(stock, b))).toEqual({ A: { W1: 2, W2: 2 } });
    expect(allocatableStock([], stockMap(stock, b))).toEqual({});
    expect(allocatableStock([{ sku: 'Z', shard: 0, quantity: 1 }], stockMap(stock))).toEqual({ Z: {} });
  });
});

describe('planAllocation', () => {
  const a = skuStock('A', 2, [shard('A', 0, 2, 3, { W1: [5, 1], W2: [4, 4] }), shard('A', 1, 4, 2, { W1: [6, 6], W2: [0, 0] })]);
  const locks = [{ sku: 'A', shard: 0, quantity: 3 }];

  it('allocates from the lock shard itself when it has the free units: no other shard is touched', () => {
    const plan = planAllocation(locks, [{ sku: 'A', warehouseId: 'W2', quantity: 3 }], stockMap(a))!;
    expect(plan).toEqual({
      allocations: [{ sku: 'A', warehouseId: 'W2', quantity: 3, shard: 0 }],
      moves: [move('A', 0, 0, -3, { W2: -3 })],
    });
    const after = applyAll(a, plan.moves);
    expectShardInvariants(after);
    expect(after.shards[0]).toEqual(shard('A', 0, 2, 0, { W1: [5, 1], W2: [4, 1] }));
  });

  it('takes the rest from another shard: the lock becomes available in its shard, the source pays from its available', () => {
    const plan = planAllocation(locks, [{ sku: 'A', warehouseId: 'W1', quantity: 3 }], stockMap(a))!;
    expect(plan.allocations).toEqual([
      { sku: 'A', warehouseId: 'W1', quantity: 1, shard: 0 },
      { sku: 'A', warehouseId: 'W1', quantity: 2, shard: 1 },
    ]);
    expect(plan.moves).toEqual([move('A', 0, 2, -3, { W1: -1 }), move('A', 1, -2, 0, { W1: -2 })]);
    const after = applyAll(a, plan.moves);
    expectShardInvariants(after);
    expect(after.shards).toEqual([shard('A', 0, 4, 0, { W1: [5, 0], W2: [4, 4] }), shard('A', 1, 2, 2, { W1: [6, 4], W2: [0, 0] })]);
    // Available-to-promise over the SKU is unchanged by an allocation.
    expect(sum(after.shards.map((s) => s.available))).toBe(6);
  });

  it('splits over warehouses and SKUs, merging allocations per shard and warehouse', () => {
    const b = skuStock('B', 1, [shard('B', 0, 0, 2, { W2: [2, 2] })]);
    const plan = planAllocation(
      [...locks, { sku: 'B', shard: 0, quantity: 2 }],
      [
        { sku: 'A', warehouseId: 'W1', quantity: 1 },
        { sku: 'B', warehouseId: 'W2', quantity: 2 },
        { sku: 'A', warehouseId: 'W2', quantity: 2 },
      ],
      stockMap(a, b),
    )!;
    expect(plan.allocations).toEqual([
      { sku: 'A', warehouseId: 'W1', quantity: 1, shard: 0 },
      { sku: 'A', warehouseId: 'W2', quantity: 2, shard: 0 },
      { sku: 'B', warehouseId: 'W2', quantity: 2, shard: 0 },
    ]);
    expect(plan.moves).toEqual([move('A', 0, 0, -3, { W1: -1, W2: -2 }), move('B', 0, 0, -2, { W2: -2 })]);
  });

  it('returns undefined when the snapshot cannot give the units (decide again on fresh stock)', () => {
    // Shard 1 has W1 free but only 1 available: W1 can give 1 + 1.
    const tight = skuStock('A', 2, [a.shards[0]!, shard('A', 1, 1, 5, { W1: [6, 6] })]);
    expect(allocatableStock(locks, stockMap(tight)).A!.W1).toBe(2);
    expect(planAllocation(locks, [{ sku: 'A', warehouseId: 'W1', quantity: 3 }], stockMap(tight))).toBeUndefined();
    expect(planAllocation(locks, [{ sku: 'A', warehouseId: 'W9', quantity: 3 }], stockMap(tight))).toBeUndefined();
  });

  it('never yields a plan for allocations that do not account for exactly the lock', () => {
    expect(() => planAllocation(locks, [{ sku: 'A', warehouseId: 'W2', quantity: 2 }], stockMap(a))).toThrow(/exactly the locked/);
    expect(() => planAllocation(locks, [], stockMap(a))).toThrow(/exactly the locked/);
    // Too much: no plan either way (undefined or an error), never moves.
    let plan: unknown = 'threw';
    try {
      plan = planAllocation(locks, [{ sku: 'A', warehouseId: 'W2', quantity: 4 }], stockMap(a));
    } catch {
      // fine
    }
    expect(plan === undefined || plan === 'threw').toBe(true);
  });

  it('plans a split the offers overstate only when shards can really give it; exclusive offers never overstate', () => {
    // The order's 2 units are locked in shard 0, whose free units are 1 at W3 and 1 at W4.
    // Shard 1 has 1 unit free at W1 and 1 at W2, one of them locked by another order: 1 available.
    const stock = skuStock('A', 2, [shard('A', 0, 0, 2, { W3: [1, 1], W4: [1, 1] }), shard('A', 1, 1, 1, { W1: [1, 1], W2: [1, 1] })]);
    const locks = [{ sku: 'A', shard: 0, quantity: 2 }];
    expect(allocatableStock(locks, stockMap(stock))).toEqual({ A: { W1: 1, W2: 1, W3: 1, W4: 1 } });
    const split = (a: string, b: string) => [
      { sku: 'A', warehouseId: a, quantity: 1 },
      { sku: 'A', warehouseId: b, quantity: 1 },
    ];
    expect(planAllocation(locks, split('W3', 'W4'), stockMap(stock))).toBeDefined();
    expect(planAllocation(locks, split('W1', 'W3'), stockMap(stock))).toBeDefined();
    // W1 + W2 both need shard 1's single available unit: offered one by one, not together.
    expect(planAllocation(locks, split('W1', 'W2'), stockMap(stock))).toBeUndefined();
    // Exclusive offers split each shard's budget, so every pair they allow can be planned.
    const exclusive = allocatableStock(locks, stockMap(stock), { exclusive: true });
    expect(exclusive).toEqual({ A: { W1: 1, W2: 0, W3: 1, W4: 1 } });
    const offered = Object.keys(exclusive.A!).filter((w) => exclusive.A![w]! > 0);
    for (const a of offered) for (const b of offered) if (a < b) expect(planAllocation(locks, split(a, b), stockMap(stock)), `${a}+${b}`).toBeDefined();
  });

  it('finds the assignment a first-come choice of shards would miss', () => {
    // Shard 0 (lock 1) has W1 and W2; shard 1 (lock 1) has only W1. W1 must come from shard 1.
    const stock = skuStock('A', 2, [shard('A', 0, 0, 1, { W1: [1, 1], W2: [1, 1] }), shard('A', 1, 0, 1, { W1: [1, 1] })]);
    const locks = [
      { sku: 'A', shard: 0, quantity: 1 },
      { sku: 'A', shard: 1, quantity: 1 },
    ];
    const plan = planAllocation(
      locks,
      [
        { sku: 'A', warehouseId: 'W1', quantity: 1 },
        { sku: 'A', warehouseId: 'W2', quantity: 1 },
      ],
      stockMap(stock),
    );
    expect(plan?.allocations).toEqual([
      { sku: 'A', shard: 0, warehouseId: 'W2', quantity: 1 },
      { sku: 'A', shard: 1, warehouseId: 'W1', quantity: 1 },
    ]);
  });

  it('plans nothing when a shard the order holds a lock in is missing from the read', () => {
    const stock = skuStock('A', 1, [shard('A', 0, 5, 0, { W1: [5, 5] })]);
    expect(planAllocation([{ sku: 'A', shard: 3, quantity: 1 }], [{ sku: 'A', warehouseId: 'W1', quantity: 1 }], stockMap(stock))).toBeUndefined();
  });

  it('does not modify the stock it plans against', () => {
    const snapshot = structuredClone(a);
    planAllocation(locks, [{ sku: 'A', warehouseId: 'W1', quantity: 3 }], stockMap(a));
    expect(a).toEqual(snapshot);
  });

  it('uses several lock shards and several source shards', () => {
    // Locks: 2 in shard 0 (no W1 there), 2 in shard 1 (1 free at W1). Shard 2 has W1 free and available.
    const stock = skuStock('A', 3, [
      shard('A', 0, 0, 2, { W2: [2, 2] }),
      shard('A', 1, 0, 2, { W1: [1, 1], W2: [1, 1] }),
      shard('A', 2, 3, 0, { W1: [3, 3] }),
    ]);
    const spread = [
      { sku: 'A', shard: 0, quantity: 2 },
      { sku: 'A', shard: 1, quantity: 2 },
    ];
    expect(allocatableStock(spread, stockMap(stock))).toEqual({ A: { W1: 4, W2: 3 } });
    const plan = planAllocation(spread, [{ sku: 'A', warehouseId: 'W1', quantity: 4 }], stockMap(stock))!;
    expect(plan.allocations).toEqual([
      { sku: 'A', warehouseId: 'W1', quantity: 1, shard: 1 },
      { sku: 'A', warehouseId: 'W1', quantity: 3, shard: 2 },
    ]);
    const after = applyAll(stock, plan.moves);
    expectShardInvariants(after);
    expect(after.shards.map((s) => s.reserved)).toEqual([0, 0, 0]);
    expect(sum(after.shards.map((s) => s.available))).toBe(3);
    expect(after.shards.map((s) => s.warehouses.W1?.free ?? null)).toEqual([null, 0, 0]);
  });
});

describe('releaseAllocationMoves and locksOf', () => {
  const allocations: ShardAllocation[] = [
    { sku: 'B', warehouseId: 'W2', quantity: 1, shard: 0 },
    { sku: 'A', warehouseId: 'W1', quantity: 2, shard: 1 },
    { sku: 'A', warehouseId: 'W2', quantity: 3, shard: 1 },
    { sku: 'A', warehouseId: 'W1', quantity: 1, shard: 0 },
  ];

  it('gives allocations back as locks in the shards the units came from', () => {
    expect(releaseAllocationMoves(allocations)).toEqual([
      move('A', 0, 0, 1, { W1: 1 }),
      move('A', 1, 0, 5, { W1: 2, W2: 3 }),
      move('B', 0, 0, 1, { W2: 1 }),
    ]);
    expect(locksOf(allocations)).toEqual([
      { sku: 'A', shard: 0, quantity: 1 },
      { sku: 'A', shard: 1, quantity: 5 },
      { sku: 'B', shard: 0, quantity: 1 },
    ]);
    expect(releaseAllocationMoves([])).toEqual([]);
    expect(locksOf([])).toEqual([]);
  });

  it('after a cross-shard allocation, release leaves the lock in the source shard and the stock consistent', () => {
    const a = skuStock('A', 2, [shard('A', 0, 2, 3, { W1: [5, 1], W2: [4, 4] }), shard('A', 1, 4, 2, { W1: [6, 6], W2: [0, 0] })]);
    const locks = [{ sku: 'A', shard: 0, quantity: 3 }];
    const plan = planAllocation(locks, [{ sku: 'A', warehouseId: 'W1', quantity: 3 }], stockMap(a))!;
    const allocated = applyAll(a, plan.moves);
    const released = applyAll(allocated, releaseAllocationMoves(plan.allocations));
    expectShardInvariants(released);
    const lock = locksOf(plan.allocations);
    expect(lock).toEqual([
      { sku: 'A', shard: 0, quantity: 1 },
      { sku: 'A', shard: 1, quantity: 2 },
    ]);
    // The lock moved from shard 0 to shard 1 for 2 units; totals are as before the allocation.
    expect(released.shards).toEqual([shard('A', 0, 4, 1, { W1: [5, 1], W2: [4, 4] }), shard('A', 1, 2, 4, { W1: [6, 6], W2: [0, 0] })]);
    expect(sum(released.shards.map((s) => s.available))).toBe(6);
    expect(sum(released.shards.map((s) => s.reserved))).toBe(5);
    // And releasing that lock gives the units back to available-to-promise.
    const free = applyAll(released, releaseLockMoves(lock));
    expect(free.shards.map((s) => [s.available, s.reserved])).toEqual([
      [5, 0],
      [4, 2],
    ]);
  });
});

describe('parcelWarehouses', () => {
  it('lists each warehouse the allocations ship from once, sorted, whatever the SKUs and shards', () => {
    expect(
      parcelWarehouses([
        { sku: 'B', warehouseId: 'W2', quantity: 1 },
        { sku: 'A', warehouseId: 'W1', quantity: 2 },
        { sku: 'A', warehouseId: 'W2', quantity: 3, shard: 1 } as ShardAllocation,
        { sku: 'A', warehouseId: 'W2', quantity: 1, shard: 0 } as ShardAllocation,
      ]),
    ).toEqual(['W1', 'W2']);
    expect(parcelWarehouses([])).toEqual([]);
  });
});

describe('releaseReservationMoves', () => {
  it('gives a LOCKED reservation back as a lock release in each shard', () => {
    const reservation: Reservation = {
      orderId: 'o1',
      state: 'LOCKED',
      lines: [
        { sku: 'A', quantity: 5 },
        { sku: 'B', quantity: 1 },
      ],
      locks: [
        { sku: 'A', shard: 0, quantity: 2 },
        { sku: 'A', shard: 3, quantity: 3 },
        { sku: 'B', shard: 0, quantity: 1 },
      ],
    };
    expect(releaseReservationMoves(reservation)).toEqual([move('A', 0, 2, -2), move('A', 3, 3, -3), move('B', 0, 1, -1)]);
  });

  it('gives an ALLOCATED reservation straight back to free and available in the source shards, leaving reserved alone', () => {
    const reservation: Reservation = {
      orderId: 'o2',
      state: 'ALLOCATED',
      lines: [
        { sku: 'A', quantity: 5 },
        { sku: 'B', quantity: 1 },
      ],
      capacityDay: '2025-01-31',
      allocations: [
        { sku: 'A', warehouseId: 'W1', quantity: 2, shard: 1 },
        { sku: 'A', warehouseId: 'W2', quantity: 3, shard: 1 },
        { sku: 'A', warehouseId: 'W1', quantity: 1, shard: 0 },
        { sku: 'B', warehouseId: 'W2', quantity: 1, shard: 0 },
      ],
    };
    expect(releaseReservationMoves(reservation)).toEqual([
      move('A', 0, 1, 0, { W1: 1 }),
      move('A', 1, 5, 0, { W1: 2, W2: 3 }),
      move('B', 0, 1, 0, { W2: 1 }),
    ]);
  });

  it('a full lock -> cross-shard allocate -> cancel cycle restores the shards exactly', () => {
    const start = skuStock('A', 2, [shard('A', 0, 4, 0, { W2: [4, 4] }), shard('A', 1, 6, 0, { W1: [6, 6] })]);
    const lines = [{ sku: 'A', quantity: 5 }];
    const locks = [{ sku: 'A', shard: 0, quantity: 4 }, { sku: 'A', shard: 1, quantity: 1 }];
    const locked = applyAll(start, lockMoves(locks));
    const plan = planAllocation(locks, [{ sku: 'A', warehouseId: 'W1', quantity: 5 }], stockMap(locked))!;
    expect(plan.allocations).toEqual([{ sku: 'A', warehouseId: 'W1', quantity: 5, shard: 1 }]);
    const allocated = applyAll(locked, plan.moves);
    expect(allocated.shards).toEqual([shard('A', 0, 4, 0, { W2: [4, 4] }), shard('A', 1, 1, 0, { W1: [6, 1] })]);
    const back = applyAll(allocated, releaseReservationMoves({ orderId: 'o', state: 'ALLOCATED', lines, allocations: plan.allocations, capacityDay: '2025-01-31' }));
    expect(back).toEqual(start);
    expect(applyAll(locked, releaseReservationMoves({ orderId: 'o', state: 'LOCKED', lines, locks }))).toEqual(start);
  });
});

describe('applyMove', () => {
  const stock = shard('A', 2, 3, 2, { W1: [4, 4], W2: [2, 1] });

  it('adds the deltas and leaves on-hand, the shard number and the input alone', () => {
    const snapshot = structuredClone(stock);
    const next = applyMove(stock, move('A', 2, -1, 1, { W2: 1 }));
    expect(next).toEqual(shard('A', 2, 2, 3, { W1: [4, 4], W2: [2, 2] }));
    expect(stock).toEqual(snapshot);
  });

  it.each<[string, StockMove]>([
    ['available', move('A', 2, -4, 0)],
    ['reserved', move('A', 2, 0, -3)],
    ['free', move('A', 2, 0, 0, { W2: -2 })],
    ['free on one of several warehouses', move('A', 2, 0, 0, { W1: -1, W2: -2 })],
  ])('refuses a move taking %s below zero', (_, m) => {
    expectConflict(() => applyMove(stock, m));
  });

  it('accepts a move taking counters exactly to zero', () => {
    expect(applyMove(stock, move('A', 2, -3, -2, { W1: -4, W2: -1 }))).toEqual(shard('A', 2, 0, 0, { W1: [4, 0], W2: [2, 0] }));
  });

  it('refuses a move on a warehouse the shard has no stock at', () => {
    expectConflict(() => applyMove(stock, move('A', 2, 0, 0, { W9: 1 })), /W9 in shard 2/);
  });
});

describe('setOnHand', () => {
  it('creates a new SKU with one shard: written whole, everything available', () => {
    const change = setOnHand('A', undefined, { W2: 3, W1: 5 }, 1);
    expect(change).toEqual({
      sku: 'A',
      shardCount: 1,
      shards: [
        {
          shard: 0,
          exists: false,
          expectedOnHand: { W1: undefined, W2: undefined },
          newOnHand: { W1: 5, W2: 3 },
          move: move('A', 0, 8, 0, { W1: 5, W2: 3 }),
        },
      ],
    });
    expect(Object.keys(change.shards[0]!.expectedOnHand)).toEqual(['W1', 'W2']);
  });

  it('creates a sharded SKU, spreading available evenly (the first shards get the remainder)', () => {
    const change = setOnHand('A', undefined, { W1: 11 }, 3);
    expect(change.shardCount).toBe(3);
    expect(change.shards.map((s) => [s.shard, s.exists, s.newOnHand.W1, s.move.available])).toEqual([
      [0, false, 4, 4],
      [1, false, 4, 4],
      [2, false, 3, 3],
    ]);
    const stock = applyOnHand(undefined, change);
    expectShardInvariants(stock);
    expect(onHandAt(stock, 'W1')).toBe(11);
  });

  it('gives each shard a proportional slice of every warehouse (exact case)', () => {
    // 50 units, 5 shards of 10: W1 is 60%, W2 40%.
    const change = setOnHand('A', undefined, { W1: 30, W2: 20 }, 5);
    expect(change.shards.map((s) => s.newOnHand)).toEqual(new Array(5).fill({ W1: 6, W2: 4 }));
  });

  it('gives each shard a proportional slice of every warehouse (with rounding)', () => {
    // 50 units over 10 shards, 5 each: ideally every shard holds 0.5 of W1 and 4.5 of W2, so 0 or 1 and 4 or 5.
    // Actual: shard 0 gets all 5 W1 units and no W2 at all, so any W2 allocation from shard 0 must cross shards.
    const change = setOnHand('A', undefined, { W1: 5, W2: 45 }, 10);
    expect(change.shards.map((s) => s.move.available)).toEqual(new Array(10).fill(5));
    for (const s of change.shards) {
      expect(s.newOnHand.W1).toBeLessThanOrEqual(1);
      expect(s.newOnHand.W2).toBeGreaterThanOrEqual(4);
    }
  });

  it('raising the shard count keeps each shard’s locks covered and spreads the rest evenly', () => {
    // One shard: 10 on hand, 4 locked for an order.
    const current = skuStock('A', 1, [shard('A', 0, 6, 4, { W1: [10, 10] })]);
    const change = setOnHand('A', current, { W1: 10 }, 3);
    expect(change).toEqual({
      sku: 'A',
      shardCount: 3,
      shards: [
        { shard: 0, exists: true, expectedOnHand: { W1: 10 }, newOnHand: { W1: 6 }, move: move('A', 0, -4, 0, { W1: -4 }) },
        { shard: 1, exists: false, expectedOnHand: { W1: undefined }, newOnHand: { W1: 2 }, move: move('A', 1, 2, 0, { W1: 2 }) },
        { shard: 2, exists: false, expectedOnHand: { W1: undefined }, newOnHand: { W1: 2 }, move: move('A', 2, 2, 0, { W1: 2 }) },
      ],
    });
    const after = applyOnHand(current, change);
    expectShardInvariants(after);
    expect(after.shards.map((s) => [s.available, s.reserved])).toEqual([
      [2, 4],
      [2, 0],
      [2, 0],
    ]);
  });

  it('lowering the shard count empties the retired shards into the active ones', () => {
    const current = skuStock('A', 3, [
      shard('A', 0, 4, 0, { W1: [4, 4] }),
      shard('A', 1, 4, 0, { W1: [4, 4] }),
      shard('A', 2, 4, 0, { W1: [2, 2], W2: [2, 2] }),
    ]);
    const change = setOnHand('A', current, { W1: 10, W2: 2 }, 1);
    expect(change.shardCount).toBe(1);
    expect(change.shards.map((s) => [s.shard, s.newOnHand, s.move.available])).toEqual([
      [0, { W1: 10, W2: 2 }, 8],
      [1, { W1: 0, W2: 0 }, -4],
      [2, { W1: 0, W2: 0 }, -4],
    ]);
    const after = applyOnHand(current, change);
    expectShardInvariants(after);
    expect(after.shards.map((s) => s.available)).toEqual([12, 0, 0]);
    expect(inventoryView(after).shards.map((s) => s.shard)).toEqual([0]);
  });

  it('refuses to lower the shard count while a retired shard holds a lock or an allocation', () => {
    const locked = skuStock('A', 3, [
      shard('A', 0, 4, 0, { W1: [4, 4] }),
      shard('A', 1, 4, 0, { W1: [4, 4] }),
      shard('A', 2, 3, 1, { W1: [4, 4] }),
    ]);
    expectConflict(() => setOnHand('A', locked, { W1: 12 }, 2), /Shard 2 of A still holds stock/);
    expectConflict(() => setOnHand('A', locked, { W1: 12 }, 1));
    expect(setOnHand('A', locked, { W1: 12 }, 3).shardCount).toBe(3);
    const allocated = skuStock('A', 2, [shard('A', 0, 4, 0, { W1: [4, 4] }), shard('A', 1, 3, 0, { W1: [4, 3] })]);
    expectConflict(() => setOnHand('A', allocated, { W1: 8 }, 1), /Shard 1/);
    // Raising or keeping the count is fine.
    expect(setOnHand('A', allocated, { W1: 8 }, 2).shards.length).toBeGreaterThan(0);
  });

  it('refuses on-hand below what is allocated at a warehouse across shards, allows exactly that', () => {
    // W1: 6 allocated in shard 0, 1 in shard 1.
    const current = skuStock('A', 2, [shard('A', 0, 8, 0, { W1: [10, 4], W2: [4, 4] }), shard('A', 1, 2, 0, { W1: [3, 2] })]);
    expectConflict(() => setOnHand('A', current, { W1: 6, W2: 4 }, 2), /7 units allocated/);
    const change = setOnHand('A', current, { W1: 7, W2: 4 }, 2);
    const after = applyOnHand(current, change);
    expectShardInvariants(after);
    expect(onHandAt(after, 'W1')).toBe(7);
    expect(after.shards.map((s) => s.warehouses.W1!.onHand - s.warehouses.W1!.free)).toEqual([6, 1]);
    // Leaving the warehouse out means zero, which is below the allocation too.
    expectConflict(() => setOnHand('A', current, { W2: 100 }, 2));
  });

  it('refuses on-hand below what is promised to orders (locks), allows exactly that', () => {
    // 8 units locked: 5 in shard 0, 3 in shard 1.
    const current = skuStock('A', 2, [shard('A', 0, 0, 5, { W1: [5, 5] }), shard('A', 1, 2, 3, { W1: [5, 5] })]);
    expectConflict(() => setOnHand('A', current, { W1: 7 }, 2), /1 more units are already promised/);
    const change = setOnHand('A', current, { W1: 8 }, 2);
    expect(change.shards.map((s) => [s.shard, s.newOnHand.W1, s.move.available])).toEqual([
      [0, 5, 0],
      [1, 3, -2],
    ]);
    const after = applyOnHand(current, change);
    expect(after.shards.map((s) => [s.available, s.reserved])).toEqual([
      [0, 5],
      [0, 3],
    ]);
  });

  it('sets an unlisted warehouse to zero and adds a new warehouse to existing shards', () => {
    const current = skuStock('A', 1, [shard('A', 0, 9, 0, { W1: [5, 5], W2: [4, 4] })]);
    const change = setOnHand('A', current, { W2: 6, W3: 1 }, 1);
    expect(change.shards).toEqual([
      {
        shard: 0,
        exists: true,
        expectedOnHand: { W1: 5, W2: 4, W3: undefined },
        newOnHand: { W1: 0, W2: 6, W3: 1 },
        move: move('A', 0, -2, 0, { W1: -5, W2: 2, W3: 1 }),
      },
    ]);
    expect(applyOnHand(current, change).shards[0]).toEqual(shard('A', 0, 7, 0, { W1: [0, 0], W2: [6, 6], W3: [1, 1] }));
  });

  it('leaves untouched shards out of the change, but always includes shard 0 (it carries the shard count)', () => {
    const current = skuStock('A', 3, [shard('A', 0, 4, 0, { W1: [4, 4] }), shard('A', 1, 4, 0, { W1: [4, 4] }), shard('A', 2, 3, 0, { W1: [3, 3] })]);
    expect(setOnHand('A', current, { W1: 12 }, 3).shards.map((s) => [s.shard, s.move.available])).toEqual([
      [0, 0],
      [2, 1],
    ]);
    const same = setOnHand('A', current, { W1: 11 }, 3);
    expect(same.shards).toEqual([{ shard: 0, exists: true, expectedOnHand: { W1: 4 }, newOnHand: { W1: 4 }, move: move('A', 0, 0, 0) }]);
  });

  it('rebalances when given the current counts, keeping reservations', () => {
    // Skewed: shard 1 empty; 2 units locked in shard 0, 3 allocated at W1 in shard 0.
    const current = skuStock('A', 2, [shard('A', 0, 7, 2, { W1: [12, 9] }), shard('A', 1, 0, 0, { W1: [0, 0] })]);
    const change = setOnHand('A', current, { W1: 12 }, 2);
    for (const s of change.shards) expect(s.move.reserved).toBe(0);
    const after = applyOnHand(current, change);
    expectShardInvariants(after);
    expect(after.shards.map((s) => [s.available, s.reserved, s.warehouses.W1!.onHand, s.warehouses.W1!.free])).toEqual([
      [4, 2, 9, 6],
      [3, 0, 3, 3],
    ]);
  });

  it.each([0, -1, 1.5, MAX_SHARDS + 1, Number.NaN])('refuses shard count %s', (n) => {
    expectConflict(() => setOnHand('A', undefined, { W1: 1 }, n), /shard count/);
  });

  it('accepts the maximum shard count', () => {
    expect(MAX_SHARDS).toBe(50);
    const change = setOnHand('A', undefined, { W1: 120 }, MAX_SHARDS);
    expect(change.shards).toHaveLength(50);
    expect(change.shards.map((s) => s.move.available)).toEqual([...new Array(20).fill(3), ...new Array(30).fill(2)]);
  });

  it('refuses negative or fractional on-hand', () => {
    expectConflict(() => setOnHand('A', undefined, { W1: -1 }, 1));
    expectConflict(() => setOnHand('A', undefined, { W1: 2.5 }, 1));
    expectConflict(() => setOnHand('A', skuStock('A', 1, [shard('A', 0, 1, 0, { W1: [1, 1] })]), { W1: -1 }, 1));
  });

  it('keeps counts up to 1e9 per warehouse exact, over many shards', () => {
    const desired = { W1: 1_000_000_000, W2: 999_999_999, W3: 999_999_937 };
    const total = 2_999_999_936;
    for (const n of [1, 7, 49, MAX_SHARDS]) {
      const change = setOnHand('A', undefined, desired, n);
      const stock = applyOnHand(undefined, change);
      expectShardInvariants(stock);
      for (const [w, units] of Object.entries(desired)) expect(onHandAt(stock, w)).toBe(units);
      const available = stock.shards.map((s) => s.available);
      expect(sum(available)).toBe(total);
      expect(Math.max(...available) - Math.min(...available)).toBeLessThanOrEqual(1);
      for (const s of stock.shards) for (const w of Object.values(s.warehouses)) expect(Number.isSafeInteger(w.onHand)).toBe(true);
      expect(inventoryView(stock).onHand).toBe(total);
    }
  });

  it('keeps counts up to 1e9 exact while orders hold stock, and when lowering the count', () => {
    const start = applyOnHand(undefined, setOnHand('A', undefined, { W1: 1_000_000_000, W2: 1_000_000_000 }, 7));
    const locked = applyAll(start, lockMoves([{ sku: 'A', shard: 3, quantity: 123_456_789 }]));
    const plan = planAllocation([{ sku: 'A', shard: 3, quantity: 123_456_789 }], [{ sku: 'A', warehouseId: 'W2', quantity: 123_456_789 }], stockMap(locked))!;
    const allocated = applyAll(locked, plan.moves);
    const change = setOnHand('A', allocated, { W1: 999_999_999, W2: 1_000_000_000 }, 7);
    const after = applyOnHand(allocated, change);
    expectShardInvariants(after);
    expect(onHandAt(after, 'W1')).toBe(999_999_999);
    expect(onHandAt(after, 'W2')).toBe(1_000_000_000);
    const view = inventoryView(after);
    expect(view.warehouses.W2!.reserved).toBe(123_456_789);
    expect(view.availableToPromise).toBe(1_999_999_999 - 123_456_789);
    // Release the order, then go down to one shard: everything ends up in shard 0.
    const released = applyAll(after, releaseReservationMoves({ orderId: 'o', state: 'ALLOCATED', lines: [], allocations: plan.allocations, capacityDay: '2025-01-31' }));
    const one = applyOnHand(released, setOnHand('A', released, { W1: 999_999_999, W2: 1_000_000_000 }, 1));
    expect(one.shards[0]!.available).toBe(1_999_999_999);
    expect(one.shards.slice(1).every((s) => s.available === 0 && sumFree(s) === 0)).toBe(true);
  });
});

describe('inventoryView', () => {
  it('sums shards per warehouse and in total, and lists active shards', () => {
    const stock = skuStock('A', 2, [
      shard('A', 0, 2, 3, { W2: [4, 4], W1: [5, 1] }), // 4 allocated at W1, 3 locked
      shard('A', 1, 4, 2, { W1: [6, 6] }), // 2 locked
      shard('A', 2, 0, 0, { W1: [0, 0] }), // retired and empty: not listed
    ]);
    const view = inventoryView(stock);
    expect(view).toEqual({
      sku: 'A',
      warehouses: {
        W1: { onHand: 11, reserved: 4, available: 7 },
        W2: { onHand: 4, reserved: 0, available: 4 },
      },
      onHand: 15,
      reserved: 9, // 4 allocated + 5 locked
      availableToPromise: 6,
      shardCount: 2,
      shards: [
        { shard: 0, onHand: 9, reserved: 7, availableToPromise: 2 },
        { shard: 1, onHand: 6, reserved: 2, availableToPromise: 4 },
      ],
    });
    expect(Object.keys(view.warehouses)).toEqual(['W1', 'W2']);
    expect(view.availableToPromise + view.reserved).toBe(view.onHand);
  });

  it('lists a retired shard while it still holds units', () => {
    const stock = skuStock('A', 1, [shard('A', 0, 1, 0, { W1: [1, 1] }), shard('A', 1, 0, 0, { W1: [2, 0] })]);
    expect(inventoryView(stock).shards.map((s) => s.shard)).toEqual([0, 1]);
  });

  it('is empty for a SKU with no warehouses', () => {
    expect(inventoryView(skuStock('Z', 1, [shard('Z', 0, 0, 0, {})]))).toEqual({
      sku: 'Z',
      warehouses: {},
      onHand: 0,
      reserved: 0,
      availableToPromise: 0,
      shardCount: 1,
      shards: [{ shard: 0, onHand: 0, reserved: 0, availableToPromise: 0 }],
    });
  });
});
