/**
 * What one order uses, counted rather than estimated:
 * - DynamoDB read and write units: the happy path's use cases run in-process
 *   against DynamoDB Local with every request asking for ReturnConsumedCapacity
 *   added up by a middleware on the bench's client; transactions are computed
 *   from the items they touched, as DynamoDB bills them (see write-units.ts);
 * - functions, events and workflow transitions: counted on the local cloud over
 *   an end-to-end run (see end-to-end.ts), divided by the orders it shipped.
 * Local function durations come from a busy 2-core machine running everything
 * at once, so they overstate Lambda's; they are reported, and priced, as measured.
 */
import { GetItemCommand, type CreateTableCommandInput, type DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { transactionWriteUnits, type IndexKeys, type Item } from './write-units.ts';
import { benchOrder } from './orders.ts';
import type { LocalCloud } from '../local/local-cloud.ts';
import { placeOrderOnce } from '../functions/use-cases/place-order.ts';
import { lockStock } from '../functions/use-cases/lock-stock.ts';
import { requestShipment } from '../functions/use-cases/request-shipment.ts';
import { routeOrder } from '../functions/use-cases/route-order.ts';
import type { Dependencies } from '../functions/use-cases/dependencies.ts';

export interface DynamoDbUnits {
  writeUnitsPerOrder: number;
  /** Write units per order of each use case: place, lock, route, ship. */
  writeUnitsByStep: Record<string, number>;
  readUnitsPerOrder: number;
  requestsPerOrder: number;
  /** Requests that write (puts, updates, transactions): what the storage floor is measured in. */
  writeRequestsPerOrder: number;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

interface TransactAction {
  Put?: { TableName?: string; Item?: Record<string, unknown> };
  Update?: { TableName?: string; Key?: Record<string, unknown> };
  Delete?: { TableName?: string; Key?: Record<string, unknown> };
  ConditionCheck?: { TableName?: string; Key?: Record<string, unknown> };
}

/** Requests arrive from document clients (plain values) and from plain clients (attribute values). */
function asAttributeValues(values: Record<string, unknown>): Item {
  const raw = Object.values(values).every((v) => v !== null && typeof v === 'object' && Object.keys(v).length === 1);
  return raw ? (values as Item) : marshall(values);
}

function touchedKey(action: TransactAction, tableKeys: readonly string[]): { table: string; key: Item } {
  const target = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck;
  if (!target?.TableName) throw new Error('A transaction action without a table');
  const source = action.Put ? action.Put.Item ?? {} : (target as { Key?: Record<string, unknown> }).Key ?? {};
  const key = Object.fromEntries(tableKeys.filter((name) => name in source).map((name) => [name, source[name]]));
  return { table: target.TableName, key: asAttributeValues(key) };
}

/** The items a transaction touches, read without counting (they only serve the arithmetic). */
async function images(reader: DynamoDBClient, keys: Array<{ table: string; key: Item }>): Promise<Array<Item | undefined>> {
  return Promise.all(
    keys.map(async ({ table, key }) => (await reader.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item),
  );
}

/** Key names of a table and its indexes, from its definition; every index must project keys only. */
export function keysOf(table: CreateTableCommandInput): { keys: string[]; indexes: IndexKeys[] } {
  const names = (schema: KeySchemaElement[] = []) => ({
    partitionKey: schema.find((k) => k.KeyType === 'HASH')!.AttributeName!,
    sortKey: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
  });
  const indexes = (table.GlobalSecondaryIndexes ?? []).map((index) => {
    if (index.Projection?.ProjectionType !== 'KEYS_ONLY') throw new Error(`Index ${index.IndexName} projects more than keys`);
    const { partitionKey, sortKey } = names(index.KeySchema);
    return { partitionKey, ...(sortKey ? { sortKey } : {}) };
  });
  const { partitionKey, sortKey } = names(table.KeySchema);
  return { keys: [partitionKey, ...(sortKey ? [sortKey] : [])], indexes };
}

export interface UnitCounter {
  read: number;
  write: number;
  requests: number;
  writeRequests: number;
}

/**
 * Adds ReturnConsumedCapacity to every request of `client` and sums the units: reads and
 * single-item writes as DynamoDB Local reports them, transactions computed from the items
 * they touched (see write-units.ts). `reader` is a second client on the same endpoint.
 */
export function countConsumedCapacity(
  client: DynamoDBClient,
  reader: DynamoDBClient,
  table: { keys: readonly string[]; indexes: readonly IndexKeys[] },
): UnitCounter {
  const totals = { read: 0, write: 0, requests: 0, writeRequests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      const transaction = context.commandName === 'TransactWriteItemsCommand';
      const keys = transaction ? (input.TransactItems as TransactAction[]).map((action) => touchedKey(action, table.keys)) : [];
      const before = transaction ? await images(reader, keys) : [];
      const result = await next(args);
      totals.requests += 1;
      if (transaction) {
        const after = await images(reader, keys);
        const units = transactionWriteUnits(
          keys.map((_, i) => ({ before: before[i], after: after[i] })),
          table.indexes,
          table.keys,
        );
        totals.write += units.table + units.indexes;
        totals.writeRequests += 1;
        return result;
      }
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (READS.has(context.commandName ?? '')) totals.read += units;
      else {
        totals.write += units;
        totals.writeRequests += 1;
      }
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return totals;
}

/** Places `orders` orders and takes each to SHIPMENT_REQUESTED through the use cases, counting units. */
export async function measureDynamoDbUnits(
  deps: Dependencies,
  totals: UnitCounter,
  options: { orders: number; sku: string },
): Promise<DynamoDbUnits> {
  const before = { ...totals };
  const byStep: Record<string, number> = { place: 0, lock: 0, route: 0, ship: 0 };
  const step = async (name: string, run: () => Promise<unknown>) => {
    const written = totals.write;
    await run();
    byStep[name]! += (totals.write - written) / options.orders;
  };
  for (let n = 0; n < options.orders; n++) {
    let orderId = '';
    await step('place', async () => {
      orderId = (await placeOrderOnce(deps, benchOrder(options.sku, { customer: n }))).order.orderId;
    });
    await step('lock', () => lockStock(deps, orderId));
    await step('route', () => routeOrder(deps, orderId));
    await step('ship', () => requestShipment(deps, orderId));
  }
  return {
    writeUnitsPerOrder: (totals.write - before.write) / options.orders,
    writeUnitsByStep: byStep,
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
