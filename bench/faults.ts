/**
 * `npm run faults`: the local cloud under injected faults, one scenario each and one mixed, and
 * for each: orders placed, accepted, final, stranded, oversold units, stock drift (units reserved
 * that no live order holds, or the reverse: a compensation run twice or never), and the time from
 * the last order to every order final. Faults are what AWS does now and then (ADR 0001, 0002):
 * see `LocalFaults` in local/local-cloud.ts. Nothing here is asserted by a test; the deterministic
 * parts are tests (test/use-cases/reconcile-overdue-orders.dynamodb.test.ts,
 * test/local-cloud/self-healing.test.ts).
 *
 * To keep a run to minutes, deadlines are 3 s (not 120-300 s) and the reconciler runs every 2 s
 * (not every minute): time to heal scales with both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../functions/http/access.ts';
import { parseCommandLine, wholeNumberOption } from '../local/cli.ts';
import { synthesizeStack } from '../local/cloud-assembly.ts';
import { startLocalCloud, type LocalCloud, type LocalFaults } from '../local/local-cloud.ts';
import { benchOrder } from './orders.ts';

const { values } = parseCommandLine({
  script: 'faults',
  summary: 'Runs the local cloud under each injected fault and all mixed (a few minutes on 2 cores); prints placed, accepted, final, stranded, oversold, stock drift, duplicates, re-driven and time to heal per fault.',
  options: { orders: { type: 'string' }, only: { type: 'string' } },
  help: { orders: 'orders per scenario (default 30)', only: 'run the scenarios whose name starts with this' },
});
const ORDERS = wholeNumberOption('faults', 'orders', values.orders, 30, 2);
const FINAL = ['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED', 'FAILED'];
/** Statuses in which an order holds stock (locked or allocated). */
const HOLDING = ['STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];
const HEAL_TIMEOUT_MS = 180_000;

interface Scenario {
  name: string;
  faults?: LocalFaults;
  carrier?: Record<string, string>;
  /** Stop the cloud while orders are mid-workflow and start it again on the same data. */
  crash?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'none (baseline)' },
  { name: 'crash mid-step (stop, restart)', crash: true, carrier: { SANDBOX_CARRIER_LATENCY_MS: '3000' } },
  { name: 'handler fails after its write', faults: { taskErrorAfterSuccessRate: 0.3 } },
  { name: 'throttled DynamoDB writes 20%', faults: { throttledWriteRate: 0.2 } },
  { name: 'PutEvents entries failed 20%', faults: { failedEventEntryRate: 0.2 } },
  { name: 'carrier 5xx 40%, timeouts 10%', carrier: { SANDBOX_CARRIER_FAILURE_RATE: '0.4', SANDBOX_CARRIER_TIMEOUT_RATE: '0.1', SANDBOX_CARRIER_TIMEOUT_MS: '1000' } },
  { name: 'duplicate event delivery', faults: { duplicateDeliveries: true } },
  {
    name: 'mixed',
    faults: { taskErrorAfterSuccessRate: 0.1, throttledWriteRate: 0.1, failedEventEntryRate: 0.1, duplicateDeliveries: true },
    carrier: { SANDBOX_CARRIER_FAILURE_RATE: '0.2' },
  },
];

const stack = synthesizeStack('faults', {
  partnersFile: fileURLToPath(new URL('../test/fixtures/no-partners.json', import.meta.url)),
  context: { 'orderPipeline:orderDeadlineSeconds': 'PLACED=3,STOCK_LOCKED=3,ROUTED=3' },
});
const reconcilerName = (cloud: LocalCloud) => cloud.topology.schedules[0]!.name;

async function call(cloud: LocalCloud, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function runScenario(scenario: Scenario) {
  const dataDir = mkdtempSync(join(tmpdir(), 'order-pipeline-faults-'));
  const start = (carrier?: Record<string, string>) =>
    startLocalCloud({ port: 0, dataDir, stack, schedules: false, retryBaseDelayMs: 50, ...(scenario.faults ? { faults: scenario.faults } : {}), ...(carrier ? { functionEnvironment: carrier } : {}) });
  let cloud = await start(scenario.carrier);
  try {
    const admin = await cloud.issueToken({ scopes: [SCOPES.admin] });
    const channel = benchOrder('FAULT-A').channel;
    const token = await cloud.issueToken({ scopes: [SCOPES.channel], channel });
    await call(cloud, admin, 'PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT);
    // Fewer units than ordered, so some orders must be refused: oversell would show.
    const skus = ['FAULT-A', 'FAULT-B'];
    const onHand = Math.floor(ORDERS * 0.4);
    for (const sku of skus) await call(cloud, admin, 'PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': onHand } });

    const accepted: string[] = [];
    await Promise.all(
      Array.from({ length: ORDERS }, async (_, i) => {
        const order = benchOrder(skus[i % 2]!, { customer: i });
        for (let attempt = 0; attempt < 5; attempt++) {
          const placed = await call(cloud, token, 'POST', '/orders', order);
          if (placed.status === 201 || placed.status === 200) return void accepted.push(placed.body.orderId);
          // A 503 is the API's answer to throttling: the channel retries with the same order id.
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }),
    );
    if (scenario.crash) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await cloud.stop();
      cloud = await start();
    }
    const lastPlaced = Date.now();
    let statuses: string[] = [];
    while (Date.now() - lastPlaced < HEAL_TIMEOUT_MS) {
      statuses = await Promise.all(accepted.map(async (id) => (await call(cloud, token, 'GET', `/orders/${id}`)).body?.status));
      if (statuses.every((status) => FINAL.includes(status))) break;
      await fetch(`${cloud.url}/_local/schedules/${encodeURIComponent(reconcilerName(cloud))}/runs`, { method: 'POST' });
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const healSeconds = (Date.now() - lastPlaced) / 1000;
    const orders = await Promise.all(accepted.map(async (id) => (await call(cloud, token, 'GET', `/orders/${id}`)).body));
    let oversold = 0;
    let drift = 0;
    for (const sku of skus) {
      const stock = (await call(cloud, admin, 'GET', `/inventory/${sku}`)).body;
      const held = orders.filter((o) => HOLDING.includes(o.status) && o.lines.some((l: { sku: string }) => l.sku === sku)).length;
      oversold += Math.max(0, held - stock.onHand) + Math.max(0, -stock.availableToPromise);
      drift += Math.abs(stock.reserved - held) + Math.abs(stock.onHand - stock.reserved - stock.availableToPromise);
    }
    // The same step recorded twice on one order: a duplicate execution that was not idempotent.
    const sequencesRepeated = orders.filter((o) => {
      const steps = o.history.filter((h: { amendment?: string }) => !h.amendment).map((h: { to: string }) => h.to);
      return new Set(steps).size !== steps.length;
    }).length;
    const byStatus = Object.fromEntries(FINAL.map((s) => [s, orders.filter((o) => o.status === s).length]).filter(([, n]) => n));
    const redriven = orders.filter((o) => o.history.some((h: { amendment?: string }) => h.amendment === 'FULFILMENT_REDRIVEN')).length;
    return {
      scenario: scenario.name,
      placed: ORDERS,
      accepted: accepted.length,
      final: orders.filter((o) => FINAL.includes(o.status)).length,
      stranded: orders.filter((o) => !FINAL.includes(o.status)).length,
      oversold,
      stockDrift: drift,
      duplicates: sequencesRepeated,
      redriven,
      healSeconds: Number(healSeconds.toFixed(1)),
      byStatus,
    };
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (const scenario of SCENARIOS.filter((s) => !values.only || s.name.startsWith(values.only))) {
  process.stderr.write(`… ${scenario.name}\n`);
  results.push(await runScenario(scenario));
}
console.table(results.map(({ byStatus, ...row }) => ({ ...row, outcomes: Object.entries(byStatus).map(([s, n]) => `${s} ${n}`).join(', ') })));
