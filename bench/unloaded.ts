/**
 * Each function's duration on an unloaded engine: orders posted one at a time, each followed
 * until the pipeline is idle again, after warm-up orders (workers loaded, JIT warm, connections
 * open). DynamoDB Local's latency is in the figures, queueing behind other orders is not: the
 * closest this machine gets to what Lambda bills for a warm invocation. Alongside, each
 * function's own CPU time, its log bytes, and the workflow's history for the log model.
 */
import { randomUUID } from 'node:crypto';
import type { LocalCloud } from '../local/local-cloud.ts';
import { SCOPES } from '../functions/http/access.ts';
import { benchOrder } from './orders.ts';
import type { LocalHistoryEvent } from './observability-usage.ts';
import type { HopLog } from '../local/hop-recorder.ts';
import { orderHops, summarizeHops, type HopRow, type OrderHops, type OrderPath } from './hop-breakdown.ts';

/** The hop breakdown: the log the local cloud was started with, and the path to follow. */
export interface HopOptions {
  log: HopLog;
  path: OrderPath;
  /**
   * Each order waits a random 0 to this many ms before it is posted. Without it, every order would
   * be posted just after the poll that let the previous one settle, always the same distance from
   * the next poll; with it, writes land at random points of the poll period, as independent orders do.
   * @default 250, the stream poller's period
   */
  phaseJitterMs?: number;
}

export interface UnloadedFunction {
  logicalId: string;
  invocationsPerOrder: number;
  /** Wall time per invocation, start to result. */
  avgDurationMs: number;
  /** The function's own thread's CPU time per invocation. */
  avgCpuMs: number;
  /** MemorySize from the template. */
  memoryMb: number;
  /** Bytes written to stdout and stderr per order (application logs and EMF metrics). */
  logBytesPerOrder: number;
}

export interface UnloadedRun {
  orders: number;
  functions: UnloadedFunction[];
  eventsPerOrder: number;
  executionsPerOrder: number;
  stateTransitionsPerOrder: number;
  /** Wall time of an execution, start to stop: what Express bills. */
  avgExecutionMs: number;
  /** Function invocations per order made by the workflow (they join its trace). */
  workflowTaskInvocationsPerOrder: number;
  /** History of every execution in the run, with its ARN, for the Express log model. */
  executions: Array<{ executionArn: string; stateMachineArn: string; history: LocalHistoryEvent[] }>;
  /** Each order's hops and their summary, when a hop log was given. */
  hops?: { orders: OrderHops[]; rows: HopRow[] };
}

export async function measureUnloaded(cloud: LocalCloud, options: { orders: number; warmup: number; sku: string; hops?: HopOptions }): Promise<UnloadedRun> {
  const order = benchOrder(options.sku);
  const authorization = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: order.channel })}`;
  let events = 0;
  const unsubscribe = cloud.feed.subscribe((item) => {
    if (item.kind === 'event') events += 1;
  });
  const placeOne = async (n: number) => {
    const response = await fetch(`${cloud.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(benchOrder(options.sku, { customer: n })),
    });
    if (response.status !== 201) throw new Error(`POST /orders: ${response.status} ${await response.text()}`);
    await cloud.settle();
  };
  try {
    for (let n = 0; n < options.warmup; n++) await placeOne(n);
    const before = cloud.functionStats();
    const eventsBefore = events;
    const startedAt = new Date().toISOString();
    const hopsPerOrder: OrderHops[] = [];
    for (let n = 0; n < options.orders; n++) {
      if (options.hops) {
        const jitter = Math.random() * (options.hops.phaseJitterMs ?? 250);
        await new Promise((resolve) => setTimeout(resolve, jitter));
        options.hops.log.take();
      }
      await placeOne(options.warmup + n);
      if (options.hops) hopsPerOrder.push(orderHops(options.hops.log.take(), options.hops.path));
    }
    const after = cloud.functionStats();

    const functions: UnloadedFunction[] = [];
    for (const [logicalId, stats] of Object.entries(after)) {
      const earlier = before[logicalId] ?? { invocations: 0, busyMs: 0, cpuMs: 0, logBytes: 0 };
      const calls = stats.invocations - earlier.invocations;
      if (calls === 0) continue;
      functions.push({
        logicalId,
        invocationsPerOrder: calls / options.orders,
        avgDurationMs: (stats.busyMs - earlier.busyMs) / calls,
        avgCpuMs: (stats.cpuMs - earlier.cpuMs) / calls,
        memoryMb: cloud.topology.functions.get(logicalId)?.memoryMb ?? NaN,
        logBytesPerOrder: (stats.logBytes - earlier.logBytes) / options.orders,
      });
    }
    const executions = cloud.stepFunctions.listExecutions().filter((e) => e.startDate >= startedAt);
    const history = (e: (typeof executions)[number]) => e.history as LocalHistoryEvent[];
    const entered = executions.flatMap((e) => history(e).filter((h) => h.type === 'StateEntered'));
    const finished = executions.filter((e) => e.stopDate);
    return {
      orders: options.orders,
      functions: functions.sort((a, b) => a.logicalId.localeCompare(b.logicalId)),
      eventsPerOrder: (events - eventsBefore) / options.orders,
      executionsPerOrder: executions.length / options.orders,
      stateTransitionsPerOrder: entered.length / options.orders,
      avgExecutionMs: finished.reduce((sum, e) => sum + (Date.parse(e.stopDate!) - Date.parse(e.startDate)), 0) / Math.max(1, finished.length),
      workflowTaskInvocationsPerOrder: entered.filter((h) => h.state?.type === 'Task').length / options.orders,
      executions: executions.map((e) => ({
        // The service's Express execution ARN: `express` in place of `execution`, and a run id after the name.
        executionArn: `${e.executionArn.replace(':execution:', ':express:')}:${randomUUID()}`,
        stateMachineArn: e.stateMachineArn,
        history: history(e),
      })),
      ...(options.hops ? { hops: { orders: hopsPerOrder, rows: summarizeHops(hopsPerOrder) } } : {}),
    };
  } finally {
    unsubscribe();
  }
}
