/**
 * What one order uses, counted rather than estimated:
 * - DynamoDB read and write units: the happy path's use cases run in-process
 *   against DynamoDB Local with every request asking for ReturnConsumedCapacity
 *   added up by a middleware on the bench's client; writes are computed from the
 *   items they touched, as DynamoDB bills them (see write-units.ts), per step and
 *   per item kind and index;
 * - functions, events and workflow transitions: counted on the local cloud over
 *   an end-to-end run (see end-to-end.ts), divided by the orders it shipped.
 * Local function durations come from a busy 2-core machine running everything
 * at once, so they overstate Lambda's; they are reported, and priced, as measured.
 */
import { GetItemCommand, type CreateTableCommandInput, type DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { itemWriteUnits, type IndexKeys, type Item } from './write-units.ts';
import { LOCAL_AWS_ENV, localDynamoDbClient, type DynamoDbLocal } from '../local/dynamodb/dynamodb-local.ts';
import { ensureTable, type TableDefinition } from '../local/dynamodb/tables.ts';
import { startAwsEndpoint, type AwsEndpoint } from '../local/aws-endpoint.ts';
import { LocalKms } from '../local/kms/local-kms.ts';
import { PARTITIONS } from '../functions/store/keys.ts';
import { createDocumentClient } from '../functions/store/dynamodb.ts';
import { SandboxCarrier } from '../functions/carriers/sandbox-carrier.ts';
import { createDependencies } from '../functions/use-cases/dependencies.ts';
import { setOnHand } from '../functions/use-cases/inventory.ts';
import { DEMO_ROUTING_POLICY } from '../functions/domain/routing/demo-routing-policy.ts';
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
  /** Write units per order of each use case, by what they went to: a kind of item or an index (see targetOf). */
  writeUnitsByTarget: Record<string, Record<string, number>>;
  readUnitsPerOrder: number;
  requestsPerOrder: number;
  /** Requests that write (puts, updates, transactions): what the storage floor is measured in. */
  writeRequestsPerOrder: number;
}

/** Issue 17's goal for a happy-path order. */
export const WRITE_UNITS_GOAL = 14;

interface ConsumedCapacity {
  CapacityUnits?: number;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);
const SINGLE_WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

interface WriteTarget {
  TableName?: string;
  Item?: Record<string, unknown>;
  Key?: Record<string, unknown>;
}

interface TransactAction {
  Put?: WriteTarget;
  Update?: WriteTarget;
  Delete?: WriteTarget;
  ConditionCheck?: WriteTarget;
}

/** Requests arrive from document clients (plain values) and from plain clients (attribute values). */
function asAttributeValues(values: Record<string, unknown>): Item {
  const raw = Object.values(values).every((v) => v !== null && typeof v === 'object' && Object.keys(v).length === 1);
  return raw ? (values as Item) : marshall(values);
}

function touchedKey(target: WriteTarget | undefined, tableKeys: readonly string[]): { table: string; key: Item } {
  if (!target?.TableName) throw new Error('A write without a table');
  const source = target.Item ?? target.Key ?? {};
  const key = Object.fromEntries(tableKeys.filter((name) => name in source).map((name) => [name, source[name]]));
  return { table: target.TableName, key: asAttributeValues(key) };
}

/**
 * What a written item is, by its key: the partition's name in PARTITIONS, and within an
 * order's partition the sort key (`order`, `reservation`, ...).
 */
export function targetOf(key: Item): string {
  const pk = key.pk?.S ?? '';
  const partition = Object.entries(PARTITIONS).find(([, prefix]) => pk.startsWith(prefix))?.[0] ?? 'other';
  return partition === 'order' ? (key.sk?.S ?? 'order').toLowerCase() : partition;
}

/** The items a write touches, read without counting (they only serve the arithmetic). */
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
    return { name: index.IndexName, partitionKey, ...(sortKey ? { sortKey } : {}) };
  });
  const { partitionKey, sortKey } = names(table.KeySchema);
  return { keys: [partitionKey, ...(sortKey ? [sortKey] : [])], indexes };
}

export interface UnitCounter {
  read: number;
  write: number;
  /** Write units by item kind (targetOf) and by index (`index <name>`). */
  writeByTarget: Record<string, number>;
  /** Single-item write units as DynamoDB Local reported them: a check on the computed figure. */
  reportedSingleWrites: number;
  computedSingleWrites: number;
  requests: number;
  writeRequests: number;
}

/**
 * Adds ReturnConsumedCapacity to every request of `client` and sums the units: reads as
 * DynamoDB Local reports them, writes computed from the items they touched, read before and
 * after (see write-units.ts). `reader` is a second client on the same endpoint.
 */
export function countConsumedCapacity(
  client: DynamoDBClient,
  reader: DynamoDBClient,
  table: { keys: readonly string[]; indexes: readonly IndexKeys[] },
): UnitCounter {
  const totals: UnitCounter = { read: 0, write: 0, writeByTarget: {}, reportedSingleWrites: 0, computedSingleWrites: 0, requests: 0, writeRequests: 0 };
  const add = (target: string, units: number) => {
    totals.writeByTarget[target] = (totals.writeByTarget[target] ?? 0) + units;
    totals.write += units;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown> & WriteTarget;
      input.ReturnConsumedCapacity = 'INDEXES';
      const command = context.commandName ?? '';
      const transaction = command === 'TransactWriteItemsCommand';
      const targets = transaction
        ? (input.TransactItems as TransactAction[]).map((action) => action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck)
        : SINGLE_WRITES.has(command)
          ? [input]
          : [];
      const keys = targets.map((target) => touchedKey(target, table.keys));
      const before = await images(reader, keys);
      const result = await next(args);
      totals.requests += 1;
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const reported = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (keys.length === 0) {
        if (READS.has(command)) totals.read += reported;
        return result;
      }
      const after = await images(reader, keys);
      const written = totals.write;
      keys.forEach(({ key }, i) => {
        const units = itemWriteUnits({ before: before[i], after: after[i] }, table.indexes, table.keys, transaction ? 2 : 1);
        add(targetOf(key), units.table);
        for (const [index, n] of Object.entries(units.indexes)) add(`index ${index}`, n);
      });
      if (!transaction) {
        totals.reportedSingleWrites += reported;
        totals.computedSingleWrites += totals.write - written;
      }
      totals.writeRequests += 1;
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return totals;
}

const perOrder = (after: Record<string, number>, before: Record<string, number>, orders: number) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([target, units]): [string, number] => [target, (units - (before[target] ?? 0)) / orders])
      .filter(([, units]) => units > 0),
  );

/** Places `orders` orders and takes each to SHIPMENT_REQUESTED through the use cases, counting units. */
export async function measureDynamoDbUnits(
  deps: Dependencies,
  totals: UnitCounter,
  options: { orders: number; sku: string },
): Promise<DynamoDbUnits> {
  const before = { ...totals };
  const steps = ['place', 'lock', 'route', 'ship'] as const;
  const byTarget = Object.fromEntries(steps.map((name) => [name, {} as Record<string, number>]));
  const step = async (name: (typeof steps)[number], run: () => Promise<unknown>) => {
    const written = { ...totals.writeByTarget };
    await run();
    for (const [target, units] of Object.entries(perOrder(totals.writeByTarget, written, options.orders))) {
      byTarget[name]![target] = (byTarget[name]![target] ?? 0) + units;
    }
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
  const sum = (units: Record<string, number>) => Object.values(units).reduce((total, n) => total + n, 0);
  return {
    writeUnitsPerOrder: (totals.write - before.write) / options.orders,
    writeUnitsByStep: Object.fromEntries(steps.map((name) => [name, sum(byTarget[name]!)])),
    writeUnitsByTarget: byTarget,
    readUnitsPerOrder: (totals.read - before.read) / options.orders,
    requestsPerOrder: (totals.requests - before.requests) / options.orders,
    writeRequestsPerOrder: (totals.writeRequests - before.writeRequests) / options.orders,
  };
}

/**
 * The units of `orders` happy-path orders on a fresh table of the stack's definition in
 * `dynamodb`: the demo routing policy, one SKU in stock, every request counted.
 */
export async function measureOrderUnits(
  dynamodb: DynamoDbLocal,
  definition: TableDefinition,
  orders: number,
): Promise<{ units: DynamoDbUnits; counter: UnitCounter }> {
  const tableName = definition.input.TableName!;
  const client = localDynamoDbClient(dynamodb.endpoint);
  await ensureTable(client, definition);
  const deps = createDependencies(createDocumentClient(client), tableName, { carrier: new SandboxCarrier() });
  await deps.policies.save(DEMO_ROUTING_POLICY, undefined, new Date().toISOString());
  const sku = `UNITS-${ulid()}`;
  await setOnHand(deps, sku, { 'wh-shanghai': 1000 });
  // Counted from here: the setup above is not the orders' work.
  const counter = countConsumedCapacity(client, localDynamoDbClient(dynamodb.endpoint), keysOf(definition.input));
  return { units: await measureDynamoDbUnits(deps, counter, { orders, sku }), counter };
}

/**
 * A local KMS for the personal-data cipher, as the functions reach it (AWS_ENDPOINT_URL_KMS,
 * PERSONAL_DATA_KEY_ARN), so a clean clone needs no AWS account: the bench seals as the stack does.
 */
export async function useLocalPersonalDataKey(): Promise<AwsEndpoint> {
  for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) process.env[name] ??= value;
  const kms = await startAwsEndpoint(new LocalKms().operations());
  process.env.AWS_ENDPOINT_URL_KMS = kms.url;
  process.env.PERSONAL_DATA_KEY_ARN ??= 'arn:aws:kms:us-east-1:000000000000:key/bench-personal-data';
  return kms;
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
