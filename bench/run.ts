/**
 * `npm run bench`: figures measured side by side in one run, printed as a table and
 * written to bench/results/latest.json. Nothing here is asserted by a test: these
 * machines are shared and noisy, so read the ratios rather than the absolute numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { synthesizeStack } from '../local/cloud-assembly.ts';
import { loadStack } from '../local/synth-cache.ts';
import { localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb/dynamodb-local.ts';
import { ensureTable, tableDefinitions } from '../local/dynamodb/tables.ts';
import { createDocumentClient } from '../functions/store/dynamodb.ts';
import { SandboxCarrier } from '../functions/carriers/sandbox-carrier.ts';
import { createDependencies } from '../functions/use-cases/dependencies.ts';
import { ulid } from 'ulid';
import { measureLockThroughput, type LockThroughput } from './lock-throughput.ts';
import { measureConditionalWriteFloor } from './storage-floor.ts';
import { measureRoutingDecisions } from './routing-decisions.ts';
import { measureEndToEnd } from './end-to-end.ts';
import { countsBetween, measureOrderUnits, snapshot, useLocalPersonalDataKey, WRITE_UNITS_GOAL, watchEvents, type DynamoDbUnits, type PipelineCounts } from './order-usage.ts';
import { costPerMillionOrders, formatCost, kmsRequestsPerOrder } from './order-cost.ts';
import { measureUnloaded } from './unloaded.ts';
import { formatHops } from './hop-breakdown.ts';
import { orderPathOf } from './order-path.ts';
import { NO_PARTNERS, putAsOperator, startBenchCloud, stockForBench } from './bench-cloud.ts';
import { HopLog } from '../local/hop-recorder.ts';
import { honestUsage } from './honest-cost.ts';
import { readLoggingConfiguration } from './observability-usage.ts';
import { evaluateGoals, formatGoals, type GoalFigures } from './goals.ts';
import { DATA_KEY_CACHE } from '../functions/crypto/data-key-cache.ts';
import { SEALED_PATHS } from '../functions/domain/personal-data.ts';
import { PRICES_US_EAST_1 } from './prices.ts';
import { formatColdStart, measureColdStart } from './cold-start.ts';
import { measureSurge } from './surge.ts';
import { measureIntake, type IntakeResult } from './intake.ts';
import { benchOrder } from './orders.ts';
import { StockStore } from '../functions/store/stock-store.ts';
import { startLocalCloud } from '../local/local-cloud.ts';
import { parseCommandLine } from '../local/cli.ts';
import { SCOPES } from '../functions/http/access.ts';

const { values: flags } = parseCommandLine({
  script: 'bench',
  summary: 'Measures routing, DynamoDB Local, intake, end to end, cold start and surge side by side (about 5 minutes on 2 cores); prints a table, the goals met or not, and writes bench/results/latest.json.',
  options: { 'cost-only': { type: 'boolean' } },
  help: { 'cost-only': 'only what the cost table needs: write units and the unloaded run (about a minute)' },
});
const costOnly = flags['cost-only'] === true;
const goals: GoalFigures = {};

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
};
const rows: Array<[string, string]> = [];
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

if (!costOnly) {
  progress('routing decisions (in-process)');
  const routing = await measureRoutingDecisions({ warehouses: 50, lines: 20, decisions: 300 });
  results.routing = routing;
  rows.push([`routing decision, ${routing.warehouses} warehouses × ${routing.lines} lines`, `p50 ${routing.p50Ms.toFixed(2)} ms, p99 ${routing.p99Ms.toFixed(2)} ms (${routing.decisions} decisions)`]);
}

progress('starting DynamoDB Local and creating the orders table from the synthesized app');
const { template } = synthesizeStack('bench');
let dynamodbUnits: DynamoDbUnits | undefined;
let floorWritesPerSecond: number | undefined;
const dynamodb = await startDynamoDbLocal();
const kms = await useLocalPersonalDataKey();
try {
  const [definition] = tableDefinitions(template, () => `bench-${ulid().toLowerCase()}`);
  if (!definition) throw new Error('no table in the stack');
  await ensureTable(dynamodb.client, definition);
  const tableName = definition.input.TableName!;
  const documents = createDocumentClient(dynamodb.client);
  const deps = createDependencies(documents, tableName, { carrier: new SandboxCarrier() });

  if (!costOnly) {
    const concurrency = 32;
    progress(`storage floor: conditional updates on one item, ${concurrency} in flight`);
    await measureConditionalWriteFloor(documents, tableName, { writes: 300, concurrency }); // warm-up
    const floor = await measureConditionalWriteFloor(documents, tableName, { writes: 2000, concurrency });
    results.storageFloor = floor;
    floorWritesPerSecond = floor.writesPerSecond;
    rows.push(['DynamoDB Local floor: conditional updates of one item', `${floor.writesPerSecond.toFixed(0)} writes/s`]);

    const lockRuns = [];
    for (const shards of [1, 8]) {
      progress(`hot SKU: 1,000 orders locking one SKU over ${shards} counter shard(s), ${concurrency} in flight`);
      const lock = await measureLockThroughput(deps, { orders: 1000, concurrency, units: 800, shards });
      lockRuns.push(lock);
      rows.push([
        `hot SKU lock, ${shards} shard${shards === 1 ? '' : 's'}`,
        `${lock.locksPerSecond.toFixed(0)} orders/s; ${lock.locked} locked, ${lock.refused} refused (800 units), ${lock.conflictsRetried} conflicts retried`,
      ]);
    }
    results.hotSkuLock = lockRuns;
    const [one, many] = lockRuns as [LockThroughput, LockThroughput];
    rows.push([`  ratio ${many.shards} shards ÷ 1 shard`, `${(many.locksPerSecond / one.locksPerSecond).toFixed(2)} (same run, same table)`]);
    rows.push(['  1 shard ÷ the floor', `${(one.locksPerSecond / floor.writesPerSecond).toFixed(2)} (a lock is 1 read + 1 transaction of 3 items)`]);
  }

  progress('DynamoDB units per order: 20 orders through place, lock, route and request shipment');
  const [unitsTable] = tableDefinitions(template, () => `bench-units-${ulid().toLowerCase()}`);
  dynamodbUnits = (await measureOrderUnits(dynamodb, unitsTable!, 20)).units;
  results.dynamodbUnits = dynamodbUnits;
  goals.writeUnitsPerOrder = dynamodbUnits.writeUnitsPerOrder;
  rows.push([
    'DynamoDB per order (happy path)',
    `${dynamodbUnits.writeUnitsPerOrder.toFixed(1)} write units (goal ≤ ${WRITE_UNITS_GOAL}: ${dynamodbUnits.writeUnitsPerOrder <= WRITE_UNITS_GOAL ? 'met' : 'not met'}), ${dynamodbUnits.readUnitsPerOrder.toFixed(1)} read units, ${dynamodbUnits.requestsPerOrder.toFixed(1)} requests`,
  ]);
  rows.push([
    '  write units by step',
    Object.entries(dynamodbUnits.writeUnitsByStep)
      .map(([step, units]) => `${step} ${units.toFixed(1)}`)
      .join(', '),
  ]);
} finally {
  await dynamodb.stop();
  await kms.stop();
}

progress('starting the local cloud (in memory) for the unloaded and end-to-end runs');
const { stack } = await loadStack('bench', { partnersFile: NO_PARTNERS });
const hopLog = new HopLog();
const cloud = await startBenchCloud({ stack, hopRecorder: hopLog });
try {
  const put = (path: string, body: unknown) => putAsOperator(cloud, path, body);
  const skus = Array.from({ length: 20 }, (_, i) => `E2E-${i}`);
  await stockForBench(cloud, skus);

  progress('unloaded: 20 orders one at a time (after 3 to warm up), each until the pipeline is idle');
  const schedulesBefore = cloud.oneTimeSchedules.invocations;
  const unloaded = await measureUnloaded(cloud, { orders: 20, warmup: 3, sku: skus[0]!, hops: { log: hopLog, path: orderPathOf(cloud.topology) } });
  // Only the unloaded run is broken down: under load, an order's hops include the others' queues.
  hopLog.stop();
  // The bench's orders are paid when placed, in a channel with no hold window: 0 unless that changes.
  const schedulerInvocations = (cloud.oneTimeSchedules.invocations - schedulesBefore) / (20 + 3);
  results.unloaded = { ...unloaded, executions: unloaded.executions.length };
  for (const fn of unloaded.functions) {
    rows.push([
      `  unloaded ${fn.logicalId}`,
      `${fn.invocationsPerOrder.toFixed(2)}/order, ${fn.avgDurationMs.toFixed(1)} ms (CPU ${fn.avgCpuMs.toFixed(1)} ms) at ${fn.memoryMb} MB; ` +
        `${fn.logBytesPerOrder.toFixed(0)} log bytes/order`,
    ]);
  }
  if (unloaded.hops) {
    results.hops = unloaded.hops.rows;
    const [header, ...lines] = formatHops(unloaded.hops.rows);
    rows.push(['  unloaded hops (ms)', header!.trimStart()]);
    for (const line of lines) rows.push(['', line]);
  }
  rows.push([
    '  unloaded per order',
    `${unloaded.eventsPerOrder.toFixed(2)} events, ${unloaded.executionsPerOrder.toFixed(2)} executions of ${unloaded.avgExecutionMs.toFixed(0)} ms, ` +
      `${unloaded.stateTransitionsPerOrder.toFixed(2)} state transitions`,
  ]);
  if (dynamodbUnits) {
    const [machine] = cloud.topology.stateMachines.values();
    const taskFunctionArns = Object.fromEntries(
      Object.entries(machine?.taskFunctions ?? {}).map(([state, id]) => [state, cloud.topology.functions.get(id)?.arn ?? id]),
    );
    const honest = honestUsage({
      run: unloaded,
      dynamodb: dynamodbUnits,
      logging: readLoggingConfiguration(stack.template),
      taskFunctionArns,
      // Counted from the cache bounds, not measured: locally one instance per function shares a
      // data key across the whole run. Assumed: every order read once by its channel and once
      // by an entitled partner, ten warm instances per function, each with its own cache.
      schedulerInvocations,
      kmsRequests: kmsRequestsPerOrder({
        sealedValuesPerOrder: SEALED_PATHS.length,
        valuesPerDataKey: DATA_KEY_CACHE.maxMessagesEncrypted,
        openingFunctions: 2,
        instancesPerFunction: 10,
      }),
    });
    const { functionApplication, functionPlatform, express } = honest.logBytes;
    rows.push([
      '  logs per order',
      `functions ${functionApplication.toFixed(0)} B written + ${functionPlatform.toFixed(0)} B platform lines (modelled), ` +
        `Express ${express.toFixed(0)} B (modelled at the template's level); ${honest.traceRootsPerOrder.toFixed(2)} trace roots`,
    ]);
    const cost = costPerMillionOrders(honest.usage, PRICES_US_EAST_1);
    results.costPerMillionOrders = { ...cost, usage: honest.usage, logBytes: honest.logBytes };
    for (const line of formatCost(cost)) rows.push(['  cost', line]);
    goals.costPerMillionOrders = cost.total;
    goals.standardOverExpress = cost.ifStandardWorkflow.total / cost.total;
  }

  if (!costOnly) {
    const endToEnd = [];
    const events = watchEvents(cloud);
    let counts: PipelineCounts | undefined;
    for (const rate of [10, 40]) {
      progress(`end to end: ${rate} orders/s offered for 10 s, POST /orders until OrderShipmentRequested`);
      const before = snapshot(cloud, events);
      const run = await measureEndToEnd(cloud, { rate, seconds: 10, skus });
      await cloud.settle();
      counts ??= countsBetween(cloud, before, snapshot(cloud, events), run.shipmentRequested);
      endToEnd.push(run);
      rows.push([
        `end to end at ${rate} orders/s offered`,
        `p50 ${run.endToEndP50Ms.toFixed(0)} ms, p95 ${run.endToEndP95Ms.toFixed(0)} ms, p99 ${run.endToEndP99Ms.toFixed(0)} ms; ` +
          `${run.sustainedPerSecond.toFixed(1)} orders/s sustained; ${run.shipmentRequested}/${run.placed} shipment requested`,
      ]);
      rows.push([`  intake (POST /orders) at ${rate}/s`, `p50 ${run.intakeP50Ms.toFixed(0)} ms, p99 ${run.intakeP99Ms.toFixed(0)} ms`]);
      rows.push([`  write → bus at ${rate}/s`, `p50 ${run.writeToBusP50Ms.toFixed(0)} ms, p99 ${run.writeToBusP99Ms.toFixed(0)} ms`]);
      if (rate === 10) {
        goals.writeToBusP50Ms = run.writeToBusP50Ms;
        goals.writeToBusP99Ms = run.writeToBusP99Ms;
        goals.shipmentRequestedP50Ms = run.endToEndP50Ms;
      }
    }
    results.endToEnd = endToEnd;
    events.stop();
    if (dynamodbUnits && floorWritesPerSecond) {
      // What the storage allows for whole orders, and how close the pipeline gets at the higher rate.
      const storageAllows = floorWritesPerSecond / dynamodbUnits.writeRequestsPerOrder;
      const best = Math.max(...endToEnd.map((run) => run.sustainedPerSecond));
      results.storageRatio = { storageAllowsOrdersPerSecond: storageAllows, pipelineOrdersPerSecond: best, ratio: best / storageAllows };
      goals.pipelineOverStorageFloor = best / storageAllows;
      rows.push([
        'pipeline ÷ storage floor',
        `${best.toFixed(1)} orders/s ÷ (${floorWritesPerSecond.toFixed(0)} writes/s ÷ ${dynamodbUnits.writeRequestsPerOrder.toFixed(1)} writes per order = ` +
          `${storageAllows.toFixed(1)} orders/s) = ${(best / storageAllows).toFixed(2)}`,
      ]);
    }

    const surgeSeconds = Number(process.env.BENCH_SURGE_SECONDS ?? 30);
    progress(`surge: 3 orders/s for 10 s, then 30 orders/s for ${surgeSeconds} s; half of them race for 60 units over 4 shards`);
    await put('/inventory/SURGE-SCARCE', { warehouses: { 'wh-shanghai': 40, 'wh-guangzhou': 20 }, shards: 4 });
    await put('/inventory/SURGE-PLENTY', { warehouses: { 'wh-shanghai': 100_000 } });
    const cloudStock = new StockStore(
      createDocumentClient(localDynamoDbClient(cloud.dynamodbEndpoint)),
      cloud.tableName(),
    );
    const surge = await measureSurge(cloud, {
      baseRate: 3,
      baseSeconds: 10,
      surgeSeconds,
      plentySku: 'SURGE-PLENTY',
      scarceSku: 'SURGE-SCARCE',
      scarceUnits: 60,
      readStock: (sku) => cloudStock.get(sku),
    });
    results.surge = surge;
    rows.push([
      `surge 3 → 30 orders/s (${surgeSeconds} s)`,
      `${surge.accepted}/${surge.offered} accepted; ${surge.shipmentRequested} shipment requested, ${surge.rejected} rejected, ` +
        `${surge.failed} failed; drained ${surge.drainSeconds.toFixed(0)} s after the surge`,
    ]);
    rows.push(['  proof', `lost ${surge.lost}, duplicated ${surge.duplicated}, oversold ${surge.oversold}`]);
    if (counts) {
      // Busy durations under load, beside the unloaded ones above: the difference is queueing.
      results.perOrder = counts;
      rows.push([
        'per order, counted at 10 orders/s',
        `${counts.invocationsPerOrder.toFixed(2)} function invocations, ${counts.eventsPerOrder.toFixed(2)} events, ` +
          `${counts.workflowExecutionsPerOrder.toFixed(2)} workflow executions, ${counts.stateTransitionsPerOrder.toFixed(2)} state transitions; ` +
          `busy ms per invocation ${Object.entries(counts.functions)
            .map(([id, fn]) => `${id} ${fn.avgDurationMs.toFixed(0)}`)
            .join(', ')}`,
      ]);
    }
  }
} finally {
  await cloud.stop();
}

if (!costOnly) {
  progress('intake alone: a local cloud without stream relays, so orders land and nothing downstream competes');
  const intakeCloud = await startLocalCloud({ port: 0, stage: 'bench', streams: false, partnersFile: NO_PARTNERS, warmFunctions: true });
  try {
    const intakeSeconds = 10;
    const connections = 32;
    const headers = { authorization: `Bearer ${await intakeCloud.issueToken({ scopes: [SCOPES.channel], channel: benchOrder('INTAKE').channel })}` };
    await measureIntake({ url: intakeCloud.url, sku: 'INTAKE', seconds: 3, connections, headers }); // warm-up: workers, JIT, connections
    const intake: IntakeResult[] = [];
    for (const rate of [25, 50, undefined]) {
      progress(`intake: POST /orders ${rate ? `at ${rate} requests/s` : 'at saturation'} for ${intakeSeconds} s, ${connections} connections (autocannon)`);
      const run = await measureIntake({ url: intakeCloud.url, sku: 'INTAKE', seconds: intakeSeconds, connections, headers, ...(rate ? { rate } : {}) });
      intake.push(run);
      rows.push([
        `intake alone, ${rate ? `${rate} requests/s offered` : `saturation (${connections} connections)`}`,
        `${run.requestsPerSecond.toFixed(1)} requests/s, p50 ${run.p50Ms.toFixed(0)} ms, p95 ${run.p95Ms.toFixed(0)} ms, p99 ${run.p99Ms.toFixed(0)} ms; ` +
          `${run.created} created, ${run.errors} errors`,
      ]);
    }
    results.intake = intake;
    const saturated = intake[intake.length - 1]!;
    if (floorWritesPerSecond) {
      // Placing an order is one conditional transaction, so the floor bounds the intake directly.
      rows.push(['  intake saturation ÷ storage floor', `${saturated.requestsPerSecond.toFixed(1)} ÷ ${floorWritesPerSecond.toFixed(0)} = ${(saturated.requestsPerSecond / floorWritesPerSecond).toFixed(2)}`]);
    }
  } finally {
    await intakeCloud.stop();
  }

  progress('cold start: bundle size per function and import time in a fresh Node process (bundles with esbuild)');
  const coldStart = await measureColdStart({ repeats: 3 });
  results.coldStart = coldStart;
  for (const line of formatColdStart(coldStart)) rows.push(['  cold start', line]);
  goals.maxBundleKiB = Math.max(...coldStart.rows.map((row) => row.bundleBytes)) / 1024;
  goals.maxImportMs = Math.max(...coldStart.rows.map((row) => row.importCpuMsMedian)) - coldStart.floor.importCpuMsMedian;
}

const goalResults = evaluateGoals(goals);
results.goals = goalResults;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`\nOrder pipeline benchmarks, ${results.date} (${cpus().length} cores, Node ${process.version})\n`);
for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
console.log(`\nIssue 17 goals, figures from this run${costOnly ? ' (--cost-only: cost figures only)' : ''}\n`);
for (const line of formatGoals(goalResults)) console.log(line);
console.log('\nwritten to bench/results/latest.json');
