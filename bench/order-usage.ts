/**
 * What one order uses, counted rather than estimated:
 * - DynamoDB read and write units: the happy path's use cases run in-process
 *   against DynamoDB Local with every request asking for ReturnConsumedCapacity
 *   (INDEXES: table and indexes apart), added up by a middleware on the bench's
 *   client, the table's part of transactions at the service's double rate;
 * - functions, events and workflow transitions: counted on the local cloud over
 *   an end-to-end run (see end-to-end.ts), divided by the orders it shipped.
 * Local function durations come from a busy 2-core machine running everything
 * at once, so they overstate Lambda's; they are reported, and priced, as measured.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchOrder } from './orders.ts';
import type { LocalCloud } from '../local/local-cloud.ts';
import { placeOrderOnce } from '../functions/use-cases/place-order.ts';
import { lockStock, requestShipment, routeOrder } from '../functions/use-cases/fulfilment.ts';
import type { Dependencies } from '../functions/use-cases/dependencies.ts';

export interface DynamoDbUnits {
  writeUnitsPerOrder: number;
  readUnitsPerOrder: number;
  requestsPerOrder: number;
  /** Requests that write (puts, updates, transactions): what the storage floor is measured in. */
  writeRequestsPerOrder: number;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

/** Adds ReturnConsumedCapacity to every request of `client` and sums what DynamoDB reports. */
export function countConsumedCapacity(client: DynamoDBClient) {
  const totals = { read: 0, write: 0, requests: 0, writeRequests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const transactional = context.commandName?.startsWith('Transact') ?? false;
      let units = 0;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        // DynamoDB Local reports transactions at the plain rate (a 2-item transaction of 1.5 KB items
        // reports 4 units); the service charges the table's transactional units twice (2 per KB).
        // Index updates are not transactional, so they count once.
        const table = c.Table?.CapacityUnits ?? 0;
        units += (c.CapacityUnits ?? 0) + (transactional ? table : 0);
      }
      if (READS.has(context.commandName ?? '')) totals.read += units;
      else {
        totals.write += units;
        totals.writeRequests += 1;
      }
      totals.requests += 1;
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return totals;
}

/** Places `orders` orders and takes each to SHIPMENT_REQUESTED through the use cases, counting units. */
export async function measureDynamoDbUnits(
  deps: Dependencies,
  totals: { read: number; write: number; requests: number; writeRequests: number },
  options: { orders: number; sku: string },
): Promise<DynamoDbUnits> {
  const before = { ...totals };
  for (let n = 0; n < options.orders; n++) {
    const { order } = await placeOrderOnce(deps, benchOrder(options.sku, { customer: n }));
    for (const step of [lockStock, routeOrder, requestShipment]) await step(deps, order.orderId);
  }
  return {
    writeUnitsPerOrder: (totals.write - before.write) / options.orders,
    readUnitsPerOrder: (totals.read - before.read) / options.orders,
    requestsPerOrder: (totals.requests - before.requests) / options.orders,
    writeRequestsPerOrder: (totals.writeRequests - before.writeRequests) / options.orders,
  };
}

export interface PipelineCounts {
  orders: number;
  /** Average duration of the workflow executions, start to stop. */
  avgExecutionMs: number;
  /** Per function logical id: invocations and average duration. */
  functions: Record<string, { invocationsPerOrder: number; avgDurationMs: number }>;
  invocationsPerOrder: number;
  eventsPerOrder: number;
  workflowExecutionsPerOrder: number;
  stateTransitionsPerOrder: number;
}

export interface PipelineSnapshot {
  at: string;
  functions: Record<string, { invocations: number; busyMs: number }>;
  events: number;
}

/** Counts events as the bus delivers them (the feed's own buffer is capped). */
export function watchEvents(cloud: LocalCloud): { count: number; stop: () => void } {
  const counter = { count: 0, stop: () => undefined as void };
  const unsubscribe = cloud.feed.subscribe((item) => {
    if (item.kind === 'event') counter.count += 1;
  });
  counter.stop = () => void unsubscribe();
  return counter;
}

export function snapshot(cloud: LocalCloud, events: { count: number }): PipelineSnapshot {
  return { at: new Date().toISOString(), functions: cloud.functionStats(), events: events.count };
}

/**
 * Counts between two snapshots, per order shipped. Workflow transitions are the
 * states entered by the executions started in the window.
 */
export function countsBetween(cloud: LocalCloud, before: PipelineSnapshot, after: PipelineSnapshot, orders: number): PipelineCounts {
  const functions: PipelineCounts['functions'] = {};
  let invocations = 0;
  for (const [id, stats] of Object.entries(after.functions)) {
    const calls = stats.invocations - (before.functions[id]?.invocations ?? 0);
    if (calls === 0) continue;
    const busy = stats.busyMs - (before.functions[id]?.busyMs ?? 0);
    functions[id] = { invocationsPerOrder: calls / orders, avgDurationMs: busy / calls };
    invocations += calls;
  }
  const executions = cloud.stepFunctions.listExecutions().filter((e) => e.startDate >= before.at && e.startDate <= after.at);
  const transitions = executions.reduce(
    (sum, e) => sum + e.history.filter((h) => (h as { type?: string }).type === 'StateEntered').length,
    0,
  );
  const finished = executions.filter((e) => e.stopDate);
  const avgExecutionMs =
    finished.reduce((sum, e) => sum + (Date.parse(e.stopDate!) - Date.parse(e.startDate)), 0) / Math.max(1, finished.length);
  return {
    orders,
    avgExecutionMs,
    functions,
    invocationsPerOrder: invocations / orders,
    eventsPerOrder: (after.events - before.events) / orders,
    workflowExecutionsPerOrder: executions.length / orders,
    stateTransitionsPerOrder: transitions / orders,
  };
}
