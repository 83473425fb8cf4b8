/** The goals printer: met / not met from the figure against its bound, and a goal without its figure says so. */
import { describe, expect, it } from 'vitest';
import { evaluateGoals, formatGoals, GOALS } from '../../bench/goals.ts';

describe('evaluateGoals', () => {
  it('marks an upper bound met at the limit and not met above it', () => {
    const [units] = evaluateGoals({ writeUnitsPerOrder: 14 });
    expect(units).toEqual({ goal: 'write units per happy-path order ≤ 14', figure: '14.0', met: true });
    expect(evaluateGoals({ writeUnitsPerOrder: 14.1 })[0]!.met).toBe(false);
  });

  it('marks a lower bound met at the limit and not met below it', () => {
    const ratio = (value: number) => evaluateGoals({ standardOverExpress: value }).find((r) => r.goal.includes('Standard'))!;
    expect(ratio(10)).toMatchObject({ figure: '10.0×', met: true });
    expect(ratio(9.9)).toMatchObject({ met: false });
  });

  it('lists every goal, those without a figure as not measured', () => {
    const results = evaluateGoals({ costPerMillionOrders: 57.02 });
    expect(results).toHaveLength(GOALS.length);
    expect(results.find((r) => r.goal.includes('$15'))).toMatchObject({ figure: '$57.02', met: false });
    expect(results.filter((r) => r.met === undefined)).toHaveLength(GOALS.length - 1);
  });
});

describe('formatGoals', () => {
  it('prints one aligned line per goal ending in met, not met or a dash', () => {
    const lines = formatGoals(evaluateGoals({ writeUnitsPerOrder: 12, costPerMillionOrders: 20 }));
    expect(lines[0]).toMatch(/ 12\.0  met$/);
    expect(lines[1]).toMatch(/\$20\.00  not met$/);
    expect(lines[2]).toMatch(/not measured in this run  -$/);
    // The figures end in one column, whatever follows them.
    const figureEnds = lines.map((line) => line.length - / {2}(met|not met|-)$/.exec(line)![0].length);
    expect(new Set(figureEnds).size).toBe(1);
  });
});
