/**
 * Issue 17's goals, each with the figure the bench measured in the same run and whether it is
 * met. A goal without its figure (e.g. `--cost-only` skips the latency runs) says so instead.
 */
export interface GoalFigures {
  writeUnitsPerOrder?: number;
  costPerMillionOrders?: number;
  /** Standard total ÷ Express total. */
  standardOverExpress?: number;
  /** Largest function bundle. */
  maxBundleKiB?: number;
  /**
   * Slowest function's import in a fresh process: its CPU time (median), less an empty module's,
   * so that what is judged is what the bundle adds; wall time on a shared machine counts waiting for a core.
   */
  maxImportMs?: number;
  writeToBusP50Ms?: number;
  writeToBusP99Ms?: number;
  /** POST /orders → OrderShipmentRequested at 10 orders/s. */
  shipmentRequestedP50Ms?: number;
  pipelineOverStorageFloor?: number;
}

interface Goal {
  figure: keyof GoalFigures;
  label: string;
  bound: 'at most' | 'at least';
  limit: number;
  format: (value: number) => string;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

export const GOALS: readonly Goal[] = [
  { figure: 'writeUnitsPerOrder', label: 'write units per happy-path order ≤ 14', bound: 'at most', limit: 14, format: (v) => v.toFixed(1) },
  { figure: 'costPerMillionOrders', label: 'all-in cost per million orders ≤ $15', bound: 'at most', limit: 15, format: (v) => `$${v.toFixed(2)}` },
  { figure: 'standardOverExpress', label: '≥ 10× cheaper than on Standard', bound: 'at least', limit: 10, format: (v) => `${v.toFixed(1)}×` },
  { figure: 'maxBundleKiB', label: 'largest bundle ≤ 300 KiB', bound: 'at most', limit: 300, format: (v) => `${v.toFixed(0)} KiB` },
  { figure: 'maxImportMs', label: 'slowest import ≤ 100 ms (CPU median above an empty module\'s, fresh process)', bound: 'at most', limit: 100, format: ms },
  { figure: 'writeToBusP50Ms', label: 'write → bus p50 ≤ 100 ms at 10 orders/s', bound: 'at most', limit: 100, format: ms },
  { figure: 'writeToBusP99Ms', label: 'write → bus p99 ≤ 300 ms at 10 orders/s', bound: 'at most', limit: 300, format: ms },
  { figure: 'shipmentRequestedP50Ms', label: 'POST → SHIPMENT_REQUESTED p50 ≤ 500 ms at 10 orders/s', bound: 'at most', limit: 500, format: ms },
  { figure: 'pipelineOverStorageFloor', label: 'pipeline ≥ 0.5 × storage floor', bound: 'at least', limit: 0.5, format: (v) => v.toFixed(2) },
];

export interface GoalResult {
  goal: string;
  figure: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

export function evaluateGoals(figures: GoalFigures): GoalResult[] {
  return GOALS.map((goal) => {
    const value = figures[goal.figure];
    if (value === undefined || !Number.isFinite(value)) return { goal: goal.label, figure: 'not measured in this run', met: undefined };
    const met = goal.bound === 'at most' ? value <= goal.limit : value >= goal.limit;
    return { goal: goal.label, figure: goal.format(value), met };
  });
}

/** Aligned lines: goal, figure, met / not met. */
export function formatGoals(results: readonly GoalResult[]): string[] {
  const goalWidth = Math.max(...results.map((r) => r.goal.length));
  const figureWidth = Math.max(...results.map((r) => r.figure.length));
  return results.map(
    (r) => `${r.goal.padEnd(goalWidth)}  ${r.figure.padStart(figureWidth)}  ${r.met === undefined ? '-' : r.met ? 'met' : 'not met'}`,
  );
}
