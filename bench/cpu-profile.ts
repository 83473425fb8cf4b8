/**
 * `npm run bench:profile`: where the local pipeline's CPU goes, per order and by component. The
 * local cloud runs in memory (without partners, like `npm run bench`); orders are posted at a
 * steady modest rate and each followed until it is SHIPMENT_REQUESTED and the pipeline is idle,
 * while the main thread and every function's worker thread are sampled with `node:inspector`
 * and DynamoDB Local's JVM is measured from /proc. Samples go to components by the table in
 * bench/cpu-attribution.ts. Prints CPU ms per order per component, its share, the top functions
 * of the two biggest, and writes bench/results/cpu-profile.json. No test asserts a figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SCOPES } from '../functions/http/access.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { parseCommandLine, wholeNumberOption } from '../local/cli.ts';
import { PROJECT_ROOT, startLocalCloud, type LocalCloud } from '../local/local-cloud.ts';
import { loadStack } from '../local/synth-cache.ts';
import { findDynamoDbLocal, processCpuMs } from './child-process-cpu.ts';
import { attributeProfile, emptyAttribution, topFunctions, type Component } from './cpu-attribution.ts';
import { benchOrder } from './orders.ts';
import { ThreadProfiler } from './thread-profiler.ts';

const SCRIPT = 'bench:profile';
const { values } = parseCommandLine({
  script: SCRIPT,
  summary:
    'Profiles the local pipeline (main thread, every function worker, DynamoDB Local) while orders go through it at a steady rate; ' +
    'prints CPU ms per order by component and the top functions of the biggest two, and writes bench/results/cpu-profile.json.',
  options: { orders: { type: 'string' }, rate: { type: 'string' }, warmup: { type: 'string' }, 'interval-us': { type: 'string' }, save: { type: 'boolean' } },
  help: {
    orders: 'orders measured (default 50)',
    rate: 'orders per second offered (default 5)',
    warmup: 'orders placed before measuring, to load and warm every function (default 5)',
    'interval-us': 'sampling interval in microseconds (default 1000)',
    save: 'also write each thread\'s profile to bench/results/cpu-profiles/ (open in Chrome DevTools)',
  },
});
const orders = wholeNumberOption(SCRIPT, 'orders', values.orders, 50, 1);
const rate = wholeNumberOption(SCRIPT, 'rate', values.rate, 5, 1);
const warmup = wholeNumberOption(SCRIPT, 'warmup', values.warmup, 5, 0);
const intervalMicros = wholeNumberOption(SCRIPT, 'interval-us', values['interval-us'], 1000, 100);
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

/** Posts `count` orders open-loop at `perSecond` and resolves once each is SHIPMENT_REQUESTED (or the wait is over) and the pipeline is idle. */
async function placeOrders(cloud: LocalCloud, count: number, perSecond: number, skus: readonly string[]) {
  const placed = new Set<string>();
  const shipped = new Set<string>();
  const unsubscribe = cloud.feed.subscribe((item) => {
    if (item.kind !== 'event' || item.event['detail-type'] !== 'OrderShipmentRequested') return;
    const { orderId } = item.event.detail as { orderId?: string };
    if (orderId) shipped.add(orderId);
  });
  const order = benchOrder(skus[0]!);
  const authorization = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: order.channel })}`;
  const started = performance.now();
  const posts: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const wait = started + (n * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    posts.push(
      fetch(`${cloud.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(benchOrder(skus[n % skus.length]!, { customer: n })),
      }).then(async (response) => {
        const body = (await response.json()) as { orderId?: string };
        if (response.status === 201 && body.orderId) placed.add(body.orderId);
      }),
    );
  }
  await Promise.all(posts);
  const deadline = performance.now() + 120_000;
  while ([...placed].some((id) => !shipped.has(id)) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  unsubscribe();
  await cloud.settle();
  return { placed: placed.size, shipmentRequested: [...placed].filter((id) => shipped.has(id)).length };
}

const NO_PARTNERS = fileURLToPath(new URL('../test/fixtures/no-partners.json', import.meta.url));
progress('starting the local cloud (in memory, no partners, schedules on request only)');
const { stack } = await loadStack('bench', { partnersFile: NO_PARTNERS });
// Without the minute's reconciler run: it is not per-order work, and would land in the window at random.
const cloud = await startLocalCloud({ port: 0, stage: 'bench', stack, schedules: false, warmFunctions: true });
try {
  const operator = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.admin] })}`;
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${cloud.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: operator }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
  };
  await put('/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT);
  const skus = Array.from({ length: 10 }, (_, i) => `PROFILE-${i}`);
  for (const sku of skus) await put(`/inventory/${sku}`, { warehouses: { 'wh-shanghai': 100_000, 'wh-guangzhou': 100_000 } });
  if (warmup > 0) {
    progress(`warm-up: ${warmup} orders`);
    await placeOrders(cloud, warmup, rate, skus);
  }

  const jvm = findDynamoDbLocal(cloud.dynamodbEndpoint);
  if (jvm === undefined) progress('DynamoDB Local\'s process was not found in /proc: its CPU is left out');
  progress(`profiling: ${orders} orders at ${rate}/s, each until SHIPMENT_REQUESTED, then until the pipeline is idle`);
  const profiler = new ThreadProfiler();
  await profiler.start(intervalMicros);
  const jvmBefore = jvm === undefined ? 0 : processCpuMs(jvm);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const outcome = await placeOrders(cloud, orders, rate, skus);
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  const jvmCpuMs = jvm === undefined ? 0 : processCpuMs(jvm) - jvmBefore;
  const profiles = await profiler.stop();

  const rootUrl = pathToFileURL(PROJECT_ROOT).href;
  const attribution = emptyAttribution();
  const threads = profiles.map(({ thread, title, profile }) => {
    const alone = attributeProfile(profile, thread, rootUrl);
    attributeProfile(profile, thread, rootUrl, attribution);
    const busy = Object.values(alone.byComponent).reduce((sum, micros) => sum + micros, 0);
    return { thread, title, sampledMsPerOrder: busy / 1000 / orders, idleMs: alone.idle / 1000 };
  });
  threads.sort((a, b) => b.sampledMsPerOrder - a.sampledMsPerOrder);
  if (values.save) {
    const directory = new URL('./results/cpu-profiles/', import.meta.url);
    mkdirSync(directory, { recursive: true });
    profiles.forEach(({ title, profile }, index) => writeFileSync(new URL(`${index}-${title.replace(/[^\w.-]+/g, '-')}.cpuprofile`, directory), JSON.stringify(profile)));
  }

  // The profiles say how the Node process's threads divide their busy time; process.cpuUsage says how
  // much CPU that was. Each component gets its share of the samples times the process's CPU time.
  const nodeCpuMs = (cpu.user + cpu.system) / 1000;
  const sampledMicros = Object.values(attribution.byComponent).reduce((sum, micros) => sum + micros, 0);
  type Row = { component: Component | 'DynamoDB Local'; cpuMsPerOrder: number; sampledMsPerOrder: number | null; share: number };
  const rows: Row[] = Object.entries(attribution.byComponent).map(([component, micros]) => ({
    component: component as Component,
    cpuMsPerOrder: (micros / sampledMicros) * nodeCpuMs / orders,
    sampledMsPerOrder: micros / 1000 / orders,
    share: 0,
  }));
  if (jvm !== undefined) rows.push({ component: 'DynamoDB Local', cpuMsPerOrder: jvmCpuMs / orders, sampledMsPerOrder: null, share: 0 });
  const isPipeline = (row: Row) => row.component !== 'bench client';
  const pipelineMsPerOrder = rows.filter(isPipeline).reduce((sum, row) => sum + row.cpuMsPerOrder, 0);
  for (const row of rows) row.share = isPipeline(row) ? row.cpuMsPerOrder / pipelineMsPerOrder : NaN;
  rows.sort((a, b) => Number(isPipeline(b)) - Number(isPipeline(a)) || b.cpuMsPerOrder - a.cpuMsPerOrder);

  // The two biggest components that have functions to show (not the JVM, not V8's own time, not the bench).
  const withFrames = rows.filter((row) => isPipeline(row) && row.component !== 'DynamoDB Local' && row.component !== 'GC and program');
  const top = withFrames.slice(0, 2).map((row) => ({
    component: row.component,
    functions: topFunctions(attribution, row.component as Component).map(({ function: label, micros }) => ({ function: label, sampledMsPerOrder: micros / 1000 / orders })),
  }));

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage1m: loadavg()[0] },
    options: { orders, rate, warmup, intervalMicros },
    outcome,
    wallMs,
    nodeProcessCpuMs: nodeCpuMs,
    dynamodbLocalCpuMs: jvm === undefined ? null : jvmCpuMs,
    sampledMs: sampledMicros / 1000,
    idleMs: attribution.idle / 1000,
    pipelineCpuMsPerOrder: pipelineMsPerOrder,
    components: rows.map((row) => ({ ...row, share: Number.isNaN(row.share) ? null : row.share })),
    topFunctions: top,
    threads,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/cpu-profile.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

  const width = Math.max(...rows.map((row) => row.component.length));
  console.log(
    `\nCPU per order by component, ${results.date} (${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}, Node ${process.version})\n` +
      `${outcome.shipmentRequested}/${outcome.placed} of ${orders} orders SHIPMENT_REQUESTED at ${rate}/s in ${(wallMs / 1000).toFixed(1)} s; ` +
      `Node process ${nodeCpuMs.toFixed(0)} ms CPU (${threads.length} threads sampled, ${(sampledMicros / 1000).toFixed(0)} ms busy), ` +
      `DynamoDB Local ${jvm === undefined ? 'not found' : `${jvmCpuMs.toFixed(0)} ms CPU`}\n`,
  );
  console.log(`${'component'.padEnd(width)}  CPU ms/order   share  sampled ms/order`);
  for (const row of rows) {
    const share = isPipeline(row) ? `${(row.share * 100).toFixed(1)}%` : '(load)';
    const sampled = row.sampledMsPerOrder === null ? '(from /proc)' : row.sampledMsPerOrder.toFixed(2);
    console.log(`${row.component.padEnd(width)}  ${row.cpuMsPerOrder.toFixed(2).padStart(12)}  ${share.padStart(6)}  ${sampled.padStart(16)}`);
  }
  console.log(`${'pipeline total'.padEnd(width)}  ${pipelineMsPerOrder.toFixed(2).padStart(12)}  100.0%`);
  for (const { component, functions } of top) {
    console.log(`\ntop functions (self time) in ${component}, sampled ms/order`);
    for (const fn of functions) console.log(`  ${fn.sampledMsPerOrder.toFixed(2).padStart(7)}  ${fn.function}`);
  }
  console.log('\nbusiest threads (the main thread runs the engines; each function has its own), sampled ms/order');
  for (const { title, sampledMsPerOrder } of threads.slice(0, 5)) console.log(`  ${sampledMsPerOrder.toFixed(2).padStart(7)}  ${title}`);
  console.log('\nwritten to bench/results/cpu-profile.json');
} finally {
  await cloud.stop();
}
