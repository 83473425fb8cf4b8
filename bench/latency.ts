/**
 * `npm run bench:latency`: where an order's time goes, hop by hop, on the local cloud with one
 * order in flight at a time (the unloaded run of bench/unloaded.ts, so no hop includes another
 * order's queue). The engines' own timestamps (local/hop-recorder.ts) give each hop; it prints the
 * median, p90 and mean of each over the orders and writes bench/results/latency.json. No test
 * asserts a figure: the machine is shared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseCommandLine, wholeNumberOption } from '../local/cli.ts';
import { HopLog } from '../local/hop-recorder.ts';
import { startBenchCloud, stockForBench } from './bench-cloud.ts';
import { formatHops } from './hop-breakdown.ts';
import { orderPathOf } from './order-path.ts';
import { measureUnloaded } from './unloaded.ts';

const SCRIPT = 'bench:latency';
const { values } = parseCommandLine({
  script: SCRIPT,
  summary:
    'Follows orders one at a time through the local cloud and prints, per hop (request, stream poll wait, read, publisher, bus, ' +
    'each workflow step and transition), the median, p90 and mean over the orders; writes bench/results/latency.json.',
  options: { orders: { type: 'string' }, warmup: { type: 'string' } },
  help: {
    orders: 'orders measured, one at a time (default 30)',
    warmup: 'orders placed first, to load and warm every function (default 3)',
  },
});
const orders = wholeNumberOption(SCRIPT, 'orders', values.orders, 30, 1);
const warmup = wholeNumberOption(SCRIPT, 'warmup', values.warmup, 3, 0);
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

progress('starting the local cloud (in memory, no partners, schedules on request only)');
const log = new HopLog();
// Without the minute's reconciler run: it is not an order's work.
const cloud = await startBenchCloud({ schedules: false, hopRecorder: log });
try {
  const sku = 'LATENCY-1';
  await stockForBench(cloud, [sku]);
  progress(`${warmup} warm-up orders, then ${orders} orders one at a time, each followed until the pipeline is idle`);
  const loadBefore = loadavg()[0]!;
  const run = await measureUnloaded(cloud, { orders, warmup, sku, hops: { log, path: orderPathOf(cloud.topology) } });
  const rows = run.hops!.rows;
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverage1m: { before: loadBefore, after: loadavg()[0] } },
    options: { orders, warmup },
    rows,
    orders: run.hops!.orders,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latency.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\nAn order's hops, ms, ${orders} orders one at a time, ${results.date} ` +
      `(${cpus().length} cores, load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}, Node ${process.version})\n`,
  );
  for (const line of formatHops(rows)) console.log(line);
  console.log('\nwritten to bench/results/latency.json');
} finally {
  await cloud.stop();
}
