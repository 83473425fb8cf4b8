/**
 * Stock accounting, without mocks: unit tests of each move, then property tests
 * that drive random operation sequences through applyMove (a refused move is the
 * store's conditional write failing, so it is simply not applied).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { InventoryConflict } from '../../functions/domain/errors.ts';
import type { Allocation } from '../../functions/domain/order.ts';
import {
  aggregateLines,
  allocateMoves,
  applyMove,
  inventoryView,
  lockMoves,
  releaseAllocationMoves,
  releaseLockMoves,
  releaseReservationMoves,
  setOnHand,
  type Reservation,
  type SkuQuantity,
  type StockMove,
  type StockRecord,
} from '../../functions/domain/stock.ts';

function record(sku: string, available: number, reserved: number, warehouses: Record<string, [number, number]>): StockRecord {
  return {
    sku,
    available,
    reserved,
    warehouses: Object.fromEntries(Object.entries(warehouses).map(([id, [onHand, free]]) => [id, { onHand, free }])),
  };
}

const sumFree = (stock: StockRecord) => Object.values(stock.warehouses).reduce((sum, w) => sum + w.free, 0);

function expectConflict(fn: () => unknown) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InventoryConflict);
  expect((thrown as Error).name).toBe('InventoryConflict');
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
        const skus = out.map((l) => l.sku);
        expect(skus).toEqual([...new Set(lines.map((l) => l.sku))].sort());
        for (const { sku, quantity } of out) {
          expect(quantity).toBe(lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.quantity, 0));
        }
      }),
    );
  });
});

describe('lock and release-lock moves', () => {
  const lines = [
    { sku: 'A', quantity: 2 },
    { sku: 'B', quantity: 5 },
  ];

  it('lock moves available-to-promise into reserved, touching no warehouse', () => {
    expect(lockMoves(lines)).toEqual([
      { sku: 'A', available: -2, reserved: 2, free: {} },
      { sku: 'B', available: -5, reserved: 5, free: {} },
    ]);
  });

  it('release-lock is the exact inverse', () => {
    expect(releaseLockMoves(lines)).toEqual([
      { sku: 'A', available: 2, reserved: -2, free: {} },
      { sku: 'B', available: 5, reserved: -5, free: {} },
    ]);
    const start = record('A', 10, 1, { W1: [11, 11] });
    const locked = applyMove(start, lockMoves([lines[0]!])[0]!);
    expect(locked).toEqual(record('A', 8, 3, { W1: [11, 11] }));
    expect(applyMove(locked, releaseLockMoves([lines[0]!])[0]!)).toEqual(start);
  });

  it('locking more than is available is refused', () => {
    const stock = record('A', 3, 0, { W1: [3, 3] });
    expect(applyMove(stock, lockMoves([{ sku: 'A', quantity: 3 }])[0]!).available).toBe(0);
    expectConflict(() => applyMove(stock, lockMoves([{ sku: 'A', quantity: 4 }])[0]!));
  });
});

describe('allocate and release-allocation moves', () => {
  const allocations: Allocation[] = [
    { sku: 'B', warehouseId: 'W2', quantity: 1 },
    { sku: 'A', warehouseId: 'W1', quantity: 2 },
    { sku: 'A', warehouseId: 'W2', quantity: 3 },
    { sku: 'A', warehouseId: 'W1', quantity: 1 },
  ];

  it('allocation turns the lock into warehouse allocations: one move per SKU, sorted, available unchanged', () => {
    expect(allocateMoves(allocations)).toEqual([
      { sku: 'A', available: 0, reserved: -6, free: { W1: -3, W2: -3 } },
      { sku: 'B', available: 0, reserved: -1, free: { W2: -1 } },
    ]);
  });

  it('release-allocation is the exact inverse', () => {
    expect(releaseAllocationMoves(allocations)).toEqual([
      { sku: 'A', available: 0, reserved: 6, free: { W1: 3, W2: 3 } },
      { sku: 'B', available: 0, reserved: 1, free: { W2: 1 } },
    ]);
    expect(allocateMoves([])).toEqual([]);
  });

  it('applied, allocation keeps available and on-hand, and release restores the record', () => {
    const start = record('A', 4, 6, { W1: [5, 5], W2: [5, 5] });
    const allocated = applyMove(start, allocateMoves(allocations)[0]!);
    expect(allocated).toEqual(record('A', 4, 0, { W1: [5, 2], W2: [5, 2] }));
    expect(applyMove(allocated, releaseAllocationMoves(allocations)[0]!)).toEqual(start);
  });

  it('allocating more than a warehouse has free is refused', () => {
    const stock = record('A', 0, 4, { W1: [10, 3], W2: [1, 1] });
    expectConflict(() => applyMove(stock, allocateMoves([{ sku: 'A', warehouseId: 'W1', quantity: 4 }])[0]!));
  });
});

describe('releaseReservationMoves', () => {
  it('gives a LOCKED reservation back as a lock release', () => {
    const reservation: Reservation = {
      orderId: 'o1',
      state: 'LOCKED',
      lines: [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
    };
    expect(releaseReservationMoves(reservation)).toEqual([
      { sku: 'A', available: 2, reserved: -2, free: {} },
      { sku: 'B', available: 1, reserved: -1, free: {} },
    ]);
  });

  it('gives an ALLOCATED reservation straight back to free and available, leaving reserved alone', () => {
    const reservation: Reservation = {
      orderId: 'o2',
      state: 'ALLOCATED',
      lines: [
        { sku: 'A', quantity: 5 },
        { sku: 'B', quantity: 1 },
      ],
      allocations: [
        { sku: 'A', warehouseId: 'W1', quantity: 2 },
        { sku: 'A', warehouseId: 'W2', quantity: 3 },
        { sku: 'B', warehouseId: 'W2', quantity: 1 },
      ],
    };
    expect(releaseReservationMoves(reservation)).toEqual([
      { sku: 'A', available: 5, reserved: 0, free: { W1: 2, W2: 3 } },
      { sku: 'B', available: 1, reserved: 0, free: { W2: 1 } },
    ]);
  });

  it('a full lock -> allocate -> cancel cycle restores the record exactly', () => {
    const start = record('A', 10, 0, { W1: [6, 6], W2: [4, 4] });
    const lines = [{ sku: 'A', quantity: 5 }];
    const allocations = [
      { sku: 'A', warehouseId: 'W1', quantity: 4 },
      { sku: 'A', warehouseId: 'W2', quantity: 1 },
    ];
    const locked = applyMove(start, lockMoves(lines)[0]!);
    const allocated = applyMove(locked, allocateMoves(allocations)[0]!);
    expect(allocated).toEqual(record('A', 5, 0, { W1: [6, 2], W2: [4, 3] }));
    const back = applyMove(allocated, releaseReservationMoves({ orderId: 'o', state: 'ALLOCATED', lines, allocations })[0]!);
    expect(back).toEqual(start);
    expect(applyMove(locked, releaseReservationMoves({ orderId: 'o', state: 'LOCKED', lines })[0]!)).toEqual(start);
  });
});

describe('applyMove', () => {
  const stock = record('A', 3, 2, { W1: [4, 4], W2: [2, 1] });

  it('adds the deltas and leaves on-hand and the input alone', () => {
    const snapshot = structuredClone(stock);
    const next = applyMove(stock, { sku: 'A', available: -1, reserved: 1, free: { W2: 1 } });
    expect(next).toEqual(record('A', 2, 3, { W1: [4, 4], W2: [2, 2] }));
    expect(stock).toEqual(snapshot);
  });

  it.each<[string, StockMove]>([
    ['available', { sku: 'A', available: -4, reserved: 0, free: {} }],
    ['reserved', { sku: 'A', available: 0, reserved: -3, free: {} }],
    ['free', { sku: 'A', available: 0, reserved: 0, free: { W2: -2 } }],
    ['free on one of several warehouses', { sku: 'A', available: 0, reserved: 0, free: { W1: -1, W2: -2 } }],
  ])('refuses a move taking %s below zero', (_, move) => {
    expectConflict(() => applyMove(stock, move));
  });

  it('accepts a move taking counters exactly to zero', () => {
    expect(applyMove(stock, { sku: 'A', available: -3, reserved: -2, free: { W1: -4, W2: -1 } })).toEqual(
      record('A', 0, 0, { W1: [4, 0], W2: [2, 0] }),
    );
  });

  it('refuses a move on a warehouse the SKU has no stock at', () => {
    expectConflict(() => applyMove(stock, { sku: 'A', available: 0, reserved: 0, free: { W9: 1 } }));
  });
});

describe('setOnHand', () => {
  it('creates a new SKU: every warehouse is new, everything becomes available', () => {
    const change = setOnHand('A', undefined, { W2: 3, W1: 5 });
    expect(change).toEqual({
      sku: 'A',
      expectedOnHand: { W1: undefined, W2: undefined },
      newOnHand: { W1: 5, W2: 3 },
      move: { sku: 'A', available: 8, reserved: 0, free: { W1: 5, W2: 3 } },
    });
    expect(Object.keys(change.expectedOnHand)).toEqual(['W1', 'W2']);
  });

  it('adds a new warehouse to an existing SKU', () => {
    const current = record('A', 4, 1, { W1: [5, 5] });
    const change = setOnHand('A', current, { W1: 5, W2: 7 });
    expect(change.expectedOnHand).toEqual({ W1: 5, W2: undefined });
    expect('W2' in change.expectedOnHand).toBe(true);
    expect(change.newOnHand).toEqual({ W1: 5, W2: 7 });
    // Unchanged W1 has no delta at all.
    expect(change.move).toEqual({ sku: 'A', available: 7, reserved: 0, free: { W2: 7 } });
  });

  it('sets an unlisted warehouse to zero', () => {
    const current = record('A', 9, 0, { W1: [5, 5], W2: [4, 4] });
    const change = setOnHand('A', current, { W2: 6 });
    expect(change.newOnHand).toEqual({ W1: 0, W2: 6 });
    expect(change.expectedOnHand).toEqual({ W1: 5, W2: 4 });
    expect(change.move).toEqual({ sku: 'A', available: -3, reserved: 0, free: { W1: -5, W2: 2 } });
  });

  it('refuses on-hand below what is allocated at a warehouse, allows exactly that', () => {
    // W1: 10 on hand, 4 free -> 6 allocated to orders.
    const current = record('A', 8, 0, { W1: [10, 4], W2: [4, 4] });
    expectConflict(() => setOnHand('A', current, { W1: 5, W2: 4 }));
    expect(setOnHand('A', current, { W1: 6, W2: 4 }).move).toEqual({ sku: 'A', available: -4, reserved: 0, free: { W1: -4 } });
    // Leaving the warehouse out means zero, which is below the allocation too.
    expectConflict(() => setOnHand('A', current, { W2: 100 }));
  });

  it('refuses a change that would take available-to-promise below zero (locked stock)', () => {
    // 10 on hand and free, 8 locked network-wide: only 2 can go.
    const current = record('A', 2, 8, { W1: [10, 10] });
    expectConflict(() => setOnHand('A', current, { W1: 7 }));
    expect(setOnHand('A', current, { W1: 8 }).move.available).toBe(-2);
  });

  it('refuses negative on-hand', () => {
    expectConflict(() => setOnHand('A', undefined, { W1: -1 }));
    expectConflict(() => setOnHand('A', record('A', 1, 0, { W1: [1, 1] }), { W1: -1 }));
  });

  it('preserves reservations: reserved untouched, allocations kept, only deltas applied', () => {
    const current = record('A', 3, 2, { W1: [10, 5], W2: [0, 0] });
    const change = setOnHand('A', current, { W1: 12, W2: 3 });
    expect(change.move.reserved).toBe(0);
    const next = applyMove(current, change.move);
    next.warehouses.W1!.onHand = change.newOnHand.W1!;
    next.warehouses.W2!.onHand = change.newOnHand.W2!;
    expect(next).toEqual(record('A', 8, 2, { W1: [12, 7], W2: [3, 3] }));
    expect(inventoryView(next).reserved).toBe(inventoryView(current).reserved);
    expect(next.available).toBe(sumFree(next) - next.reserved);
  });

  it('is a no-op move when nothing changes', () => {
    const current = record('A', 1, 0, { W1: [1, 1] });
    expect(setOnHand('A', current, { W1: 1 }).move).toEqual({ sku: 'A', available: 0, reserved: 0, free: {} });
  });
});

describe('inventoryView', () => {
  it('reports on-hand, held and available per warehouse and in total', () => {
    const stock = record('A', 5, 3, { W2: [4, 4], W1: [10, 4] });
    const view = inventoryView(stock);
    expect(view).toEqual({
      sku: 'A',
      warehouses: {
        W1: { onHand: 10, reserved: 6, available: 4 },
        W2: { onHand: 4, reserved: 0, available: 4 },
      },
      onHand: 14,
      reserved: 9, // 6 allocated at W1 + 3 locked network-wide
      availableToPromise: 5,
    });
    expect(Object.keys(view.warehouses)).toEqual(['W1', 'W2']);
  });

  it('is empty for a SKU with no warehouses', () => {
    expect(inventoryView(record('Z', 0, 0, {}))).toEqual({ sku: 'Z', warehouses: {}, onHand: 0, reserved: 0, availableToPromise: 0 });
  });
});

// ---------------------------------------------------------------------------
// Property tests: a model of the store, driven only through the domain functions.
// ---------------------------------------------------------------------------

const SKUS = ['A', 'B'] as const;
const WAREHOUSES = ['W1', 'W2', 'W3'] as const;

interface World {
  stock: Map<string, StockRecord>;
  reservations: Map<string, Reservation>;
  nextOrder: number;
}

/** All moves or none, like one DynamoDB transaction. Returns false when a condition fails. */
function transact(world: World, moves: readonly StockMove[]): boolean {
  const staged = new Map(world.stock);
  try {
    for (const move of moves) {
      const current = staged.get(move.sku);
      if (!current) return false; // an update conditioned on counters of a missing item fails
      staged.set(move.sku, applyMove(current, move));
    }
  } catch (error) {
    if (error instanceof InventoryConflict) return false;
    throw error;
  }
  world.stock = staged;
  return true;
}

/** What the store does with an OnHandChange: new warehouses written whole, deltas elsewhere, on-hand replaced. */
function applyOnHand(world: World, sku: string, desired: Record<string, number>): boolean {
  const current = world.stock.get(sku);
  let change;
  try {
    change = setOnHand(sku, current, desired);
  } catch (error) {
    if (error instanceof InventoryConflict) return false;
    throw error;
  }
  const base: StockRecord = current
    ? { ...current, warehouses: { ...current.warehouses } }
    : { sku, available: 0, reserved: 0, warehouses: {} };
  for (const [id, expected] of Object.entries(change.expectedOnHand)) {
    if (expected === undefined) base.warehouses[id] = { onHand: 0, free: 0 };
  }
  // A change setOnHand accepted must also pass the "no counter below zero" conditions.
  const next = applyMove(base, change.move);
  for (const [id, onHand] of Object.entries(change.newOnHand)) next.warehouses[id] = { ...next.warehouses[id]!, onHand };
  world.stock.set(sku, next);
  return true;
}

type Op =
  | { kind: 'set'; sku: string; desired: Record<string, number> }
  | { kind: 'lock'; lines: SkuQuantity[] }
  | { kind: 'allocate'; pick: number; choices: number[] }
  | { kind: 'releaseAllocation'; pick: number }
  | { kind: 'releaseLock'; pick: number }
  | { kind: 'cancel'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    sku: fc.constantFrom(...SKUS),
    desired: fc.dictionary(fc.constantFrom(...WAREHOUSES), fc.integer({ min: 0, max: 12 })),
  }),
  fc.record({
    kind: fc.constant('lock' as const),
    lines: fc
      .array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 3 })
      .map((lines) => aggregateLines(lines)),
  }),
  fc.record({ kind: fc.constant('allocate' as const), pick: fc.nat(), choices: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }) }),
  fc.record({ kind: fc.constant('releaseAllocation' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('releaseLock' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);

function pickReservation(world: World, pick: number, state?: Reservation['state']): Reservation | undefined {
  const live = [...world.reservations.values()].filter((r) => !state || r.state === state).sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
  return live.length === 0 ? undefined : live[pick % live.length];
}

/** Every invariant the store relies on, checked against the modelled reservations. */
function checkInvariants(world: World) {
  for (const [sku, stock] of world.stock) {
    // (a) no counter is ever negative (and allocations never exceed on-hand).
    expect(stock.available).toBeGreaterThanOrEqual(0);
    expect(stock.reserved).toBeGreaterThanOrEqual(0);
    for (const w of Object.values(stock.warehouses)) {
      expect(w.free).toBeGreaterThanOrEqual(0);
      expect(w.onHand).toBeGreaterThanOrEqual(w.free);
    }
    // (b) available = sum(free) - reserved.
    expect(stock.available).toBe(sumFree(stock) - stock.reserved);
    // (c) what is held equals what live reservations hold, split into locked and allocated per warehouse.
    let locked = 0;
    const allocated: Record<string, number> = {};
    for (const r of world.reservations.values()) {
      if (r.state === 'LOCKED') locked += r.lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.quantity, 0);
      else
        for (const a of r.allocations ?? [])
          if (a.sku === sku) allocated[a.warehouseId] = (allocated[a.warehouseId] ?? 0) + a.quantity;
    }
    expect(stock.reserved).toBe(locked);
    for (const [id, w] of Object.entries(stock.warehouses)) expect(w.onHand - w.free).toBe(allocated[id] ?? 0);
    const view = inventoryView(stock);
    const totalHeld = locked + Object.values(allocated).reduce((s, q) => s + q, 0);
    expect(view.reserved).toBe(totalHeld);
    // Never more held for orders than exists.
    expect(view.reserved).toBeLessThanOrEqual(view.onHand);
    expect(view.availableToPromise + view.reserved).toBe(view.onHand);
  }
  for (const r of world.reservations.values()) for (const l of r.lines) expect(world.stock.has(l.sku)).toBe(true);
}

function step(world: World, op: Op) {
  switch (op.kind) {
    case 'set':
      applyOnHand(world, op.sku, op.desired);
      return;
    case 'lock': {
      const fits = op.lines.every(({ sku, quantity }) => (world.stock.get(sku)?.available ?? -1) >= quantity);
      const ok = transact(world, lockMoves(op.lines));
      // (d) a lock succeeds exactly when every line fits in available-to-promise: never an oversell.
      expect(ok).toBe(fits);
      if (ok) {
        const orderId = `o${String(world.nextOrder++).padStart(4, '0')}`;
        world.reservations.set(orderId, { orderId, state: 'LOCKED', lines: op.lines });
      }
      return;
    }
    case 'allocate': {
      const r = pickReservation(world, op.pick, 'LOCKED');
      if (!r) return;
      // Per line, a warehouse that has the SKU free (falling back to any warehouse, which may be refused).
      const allocations = r.lines.map(({ sku, quantity }, i) => {
        const choice = op.choices[i % op.choices.length]!;
        const stock = world.stock.get(sku)!;
        const withFree = Object.keys(stock.warehouses).filter((id) => stock.warehouses[id]!.free >= quantity).sort();
        const pool = withFree.length > 0 ? withFree : [...WAREHOUSES];
        return { sku, warehouseId: pool[choice % pool.length]!, quantity };
      });
      if (transact(world, allocateMoves(allocations))) world.reservations.set(r.orderId, { ...r, state: 'ALLOCATED', allocations });
      return;
    }
    case 'releaseAllocation': {
      const r = pickReservation(world, op.pick, 'ALLOCATED');
      if (!r) return;
      // Compensation for a live reservation must never be refused.
      expect(transact(world, releaseAllocationMoves(r.allocations ?? []))).toBe(true);
      world.reservations.set(r.orderId, { orderId: r.orderId, state: 'LOCKED', lines: r.lines });
      return;
    }
    case 'releaseLock': {
      const r = pickReservation(world, op.pick, 'LOCKED');
      if (!r) return;
      expect(transact(world, releaseLockMoves(r.lines))).toBe(true);
      world.reservations.delete(r.orderId);
      return;
    }
    case 'cancel': {
      const r = pickReservation(world, op.pick);
      if (!r) return;
      expect(transact(world, releaseReservationMoves(r))).toBe(true);
      world.reservations.delete(r.orderId);
      return;
    }
  }
}

describe('stock invariants (property-based)', () => {
  it('hold after every step of any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const world: World = { stock: new Map(), reservations: new Map(), nextOrder: 0 };
        for (const op of ops) {
          step(world, op);
          checkInvariants(world);
        }
      }),
    );
  });

  it('hold when starting from stocked warehouses (more locks and allocations succeed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 6, maxLength: 6 }),
        fc.array(opArb.filter((op) => op.kind !== 'set'), { maxLength: 40 }),
        (units, ops) => {
          const world: World = { stock: new Map(), reservations: new Map(), nextOrder: 0 };
          SKUS.forEach((sku, s) =>
            expect(applyOnHand(world, sku, Object.fromEntries(WAREHOUSES.map((w, i) => [w, units[s * 3 + i]!])))).toBe(true),
          );
          checkInvariants(world);
          for (const op of ops) {
            step(world, op);
            checkInvariants(world);
          }
        },
      ),
    );
  });

  it('after everything is released, the stock is exactly as first set', () => {
    fc.assert(
      fc.property(fc.array(opArb.filter((op) => op.kind !== 'set'), { maxLength: 30 }), (ops) => {
        const world: World = { stock: new Map(), reservations: new Map(), nextOrder: 0 };
        applyOnHand(world, 'A', { W1: 8, W2: 5 });
        applyOnHand(world, 'B', { W2: 4, W3: 9 });
        const initial = structuredClone(world.stock);
        for (const op of ops) step(world, op);
        while (world.reservations.size > 0) step(world, { kind: 'cancel', pick: 0 });
        expect(world.reservations.size).toBe(0);
        expect(world.stock).toEqual(initial);
      }),
    );
  });

  it('N orders racing for K units lock at most K, in any interleaving', () => {
    const arb = fc
      .record({
        k: fc.integer({ min: 0, max: 20 }),
        quantities: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 12 }),
      })
      .chain(({ k, quantities }) =>
        fc.record({
          k: fc.constant(k),
          quantities: fc.constant(quantities),
          order: fc.shuffledSubarray(
            quantities.map((_, i) => i),
            { minLength: quantities.length, maxLength: quantities.length },
          ),
        }),
      );
    fc.assert(
      fc.property(arb, ({ k, quantities, order }) => {
        const world: World = { stock: new Map(), reservations: new Map(), nextOrder: 0 };
        // K units spread over two warehouses.
        expect(applyOnHand(world, 'A', { W1: Math.floor(k / 2), W2: k - Math.floor(k / 2) })).toBe(true);
        let locked = 0;
        for (const i of order) {
          const remaining = world.stock.get('A')!.available;
          const ok = transact(world, lockMoves([{ sku: 'A', quantity: quantities[i]! }]));
          expect(ok).toBe(quantities[i]! <= remaining);
          if (ok) locked += quantities[i]!;
          expect(locked).toBeLessThanOrEqual(k);
        }
        const stock = world.stock.get('A')!;
        expect(stock.reserved).toBe(locked);
        expect(stock.available).toBe(k - locked);
        expect(stock.available).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
