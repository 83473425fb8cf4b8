/** Routing: one warehouse that can fill every line, chosen deterministically. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NoRoute } from '../../functions/domain/errors.ts';
import { SANDBOX_CARRIER, planRoute } from '../../functions/domain/routing.ts';
import type { StockRecord } from '../../functions/domain/stock.ts';

/** A stock record with the given free units per warehouse (on-hand equal to free, nothing reserved). */
function stock(sku: string, free: Record<string, number>): StockRecord {
  const warehouses = Object.fromEntries(Object.entries(free).map(([id, units]) => [id, { onHand: units, free: units }]));
  const total = Object.values(free).reduce((a, b) => a + b, 0);
  return { sku, available: total, reserved: 0, warehouses };
}

describe('planRoute', () => {
  it('allocates every line to the chosen warehouse with the sandbox carrier', () => {
    const plan = planRoute(
      [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
      [stock('A', { W1: 5 }), stock('B', { W1: 3 })],
    );
    expect(plan).toEqual({
      warehouseId: 'W1',
      carrier: SANDBOX_CARRIER,
      serviceLevel: 'STANDARD',
      allocations: [
        { sku: 'A', warehouseId: 'W1', quantity: 2 },
        { sku: 'B', warehouseId: 'W1', quantity: 1 },
      ],
    });
    expect(SANDBOX_CARRIER).toBe('sandbox');
  });

  it('skips a warehouse that cannot fill every line', () => {
    // W1 has plenty of A but too little B; W2 can do both.
    const plan = planRoute(
      [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ],
      [stock('A', { W1: 100, W2: 2 }), stock('B', { W1: 1, W2: 2 })],
    );
    expect(plan.warehouseId).toBe('W2');
  });

  it('accepts a warehouse with exactly the quantity free (zero headroom)', () => {
    expect(planRoute([{ sku: 'A', quantity: 3 }], [stock('A', { W1: 3 })]).warehouseId).toBe('W1');
  });

  it('prefers the warehouse left with the most headroom', () => {
    expect(planRoute([{ sku: 'A', quantity: 3 }], [stock('A', { W1: 5, W2: 10, W3: 4 })]).warehouseId).toBe('W2');
  });

  it('measures headroom by the line left tightest, not the sum', () => {
    // W1: A 7 left, B 1 left -> 1.  W2: A 3 left, B 3 left -> 3.
    const plan = planRoute(
      [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 3 },
      ],
      [stock('A', { W1: 10, W2: 6 }), stock('B', { W1: 4, W2: 6 })],
    );
    expect(plan.warehouseId).toBe('W2');
  });

  it('breaks ties by warehouse id, whatever order the warehouses come in', () => {
    const lines = [{ sku: 'A', quantity: 1 }];
    expect(planRoute(lines, [stock('A', { 'WH-C': 5, 'WH-A': 5, 'WH-B': 5 })]).warehouseId).toBe('WH-A');
    expect(planRoute(lines, [stock('A', { 'WH-C': 5, 'WH-B': 5, 'WH-D': 1 })]).warehouseId).toBe('WH-B');
  });

  it.each([
    ['fastest', 'EXPRESS'],
    ['cheapest', 'ECONOMY'],
    ['greenest', 'GROUND'],
    [undefined, 'STANDARD'],
  ] as const)('delivery preference %s gives service level %s', (preference, level) => {
    expect(planRoute([{ sku: 'A', quantity: 1 }], [stock('A', { W1: 1 })], preference).serviceLevel).toBe(level);
  });

  it('throws NoRoute when no single warehouse can fill all lines, even if the network could', () => {
    // The network has 6 A and 6 B, but W1 lacks B and W2 lacks A.
    const lines = [
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 4 },
    ];
    const records = [stock('A', { W1: 5, W2: 1 }), stock('B', { W1: 1, W2: 5 })];
    expect(() => planRoute(lines, records)).toThrow(NoRoute);
    // Also when the quantity is only reachable by splitting one SKU across warehouses.
    expect(() => planRoute([{ sku: 'A', quantity: 6 }], [stock('A', { W1: 3, W2: 3 })])).toThrow(NoRoute);
    try {
      planRoute([{ sku: 'A', quantity: 6 }], [stock('A', { W1: 3, W2: 3 })]);
    } catch (error) {
      expect((error as Error).name).toBe('NoRoute');
    }
  });

  it('throws NoRoute when there is no stock record at all, or no record for a line', () => {
    expect(() => planRoute([{ sku: 'A', quantity: 1 }], [])).toThrow(NoRoute);
    expect(() =>
      planRoute(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'MISSING', quantity: 1 },
        ],
        [stock('A', { W1: 10 })],
      ),
    ).toThrow(NoRoute);
  });

  it('ignores warehouses that do not stock one of the SKUs, even with lots of the other', () => {
    // W0 sorts first and has the most of A, but no B at all.
    const plan = planRoute(
      [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 1 },
      ],
      [stock('A', { W0: 1000, W9: 2 }), stock('B', { W9: 2 })],
    );
    expect(plan.warehouseId).toBe('W9');
  });

  it('uses free stock, not on-hand', () => {
    const record: StockRecord = {
      sku: 'A',
      available: 5,
      reserved: 0,
      warehouses: { W1: { onHand: 100, free: 1 }, W2: { onHand: 5, free: 4 } },
    };
    expect(planRoute([{ sku: 'A', quantity: 2 }], [record]).warehouseId).toBe('W2');
    expect(() => planRoute([{ sku: 'A', quantity: 5 }], [record])).toThrow(NoRoute);
  });

  it('for any stock, the chosen warehouse fills every line and none fills them with more headroom', () => {
    const ids = ['W1', 'W2', 'W3', 'W4'];
    const freeBy = fc.dictionary(fc.constantFrom(...ids), fc.integer({ min: 0, max: 20 }));
    const arb = fc.record({
      a: freeBy,
      b: freeBy,
      qa: fc.integer({ min: 1, max: 15 }),
      qb: fc.integer({ min: 1, max: 15 }),
    });
    fc.assert(
      fc.property(arb, ({ a, b, qa, qb }) => {
        const lines = [
          { sku: 'A', quantity: qa },
          { sku: 'B', quantity: qb },
        ];
        const headroom = (w: string) => Math.min((a[w] ?? 0) - qa, (b[w] ?? 0) - qb);
        const feasible = ids.filter((w) => w in a && w in b && headroom(w) >= 0);
        const records = [stock('A', a), stock('B', b)];
        if (feasible.length === 0) {
          expect(() => planRoute(lines, records)).toThrow(NoRoute);
          return;
        }
        const best = Math.max(...feasible.map(headroom));
        const expected = feasible.filter((w) => headroom(w) === best).sort()[0];
        const plan = planRoute(lines, records);
        expect(plan.warehouseId).toBe(expected);
        expect(plan.allocations).toEqual([
          { sku: 'A', warehouseId: expected, quantity: qa },
          { sku: 'B', warehouseId: expected, quantity: qb },
        ]);
      }),
    );
  });
});
