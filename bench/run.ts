/**
 * `npm run bench`: figures measured side by side in one run, printed as a table and
 * written to bench/results/latest.json. Nothing here is asserted by a test: these
 * machines are shared and noisy, so read the ratios rather than the absolute numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { synthesizeStack } from '../local/cloud-assembly.ts';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local.ts';
import { ensureTable, tableDefinitions } from '../local/dynamodb/tables.ts';
import { createDocumentClient } from '../functions/store/dynamodb.ts';
import { SandboxCarrier } from '../functions/carriers/sandbox-carrier.ts';
import { createDependencies } from '../functions/use-cases/dependencies.ts';
import { ulid } from 'ulid';
import { measureLockThroughput, type LockThroughput } from './lock-throughput.ts';
import { measureConditionalWriteFloor } from './storage-floor.ts';
import { measureRoutingDecisions } from './routing-decisions.ts';

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
};
const rows: Array<[string, string]> = [];
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

progress('routing decisions (in-process)');
const routing = await measureRoutingDecisions({ warehouses: 50, lines: 20, decisions: 300 });
results.routing = routing;
rows.push([`routing decision, ${routing.warehouses} warehouses × ${routing.lines} lines`, `p50 ${routing.p50Ms.toFixed(2)} ms, p99 ${routing.p99Ms.toFixed(2)} ms (${routing.decisions} decisions)`]);

progress('starting DynamoDB Local and creating the orders table from the synthesized app');
const { template } = synthesizeStack('bench');
const dynamodb = await startDynamoDbLocal();
try {
  const [definition] = tableDefinitions(template, () => `bench-${ulid().toLowerCase()}`);
  if (!definition) throw new Error('no table in the stack');
  await ensureTable(dynamodb.client, definition);
  const tableName = definition.input.TableName!;
  const documents = createDocumentClient(dynamodb.client);
  const deps = createDependencies(documents, tableName, { carrier: new SandboxCarrier() });

  const concurrency = 32;
  progress(`storage floor: conditional updates on one item, ${concurrency} in flight`);
  await measureConditionalWriteFloor(documents, tableName, { writes: 300, concurrency }); // warm-up
  const floor = await measureConditionalWriteFloor(documents, tableName, { writes: 2000, concurrency });
  results.storageFloor = floor;
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
} finally {
  await dynamodb.stop();
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`\nOrder pipeline benchmarks, ${results.date} (${cpus().length} cores, Node ${process.version})\n`);
for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
console.log('\nwritten to bench/results/latest.json');
