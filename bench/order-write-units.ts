/**
 * `npm run bench:write-units`: the DynamoDB write units of a happy-path order, alone and in
 * under a minute: per step (place, lock, route, ship) and per item kind and index, on DynamoDB
 * Local with a local KMS for the personal-data key, against issue 17's goal. The figures are
 * exact counts (computed from the items written, see write-units.ts), the same on any machine.
 */
import { synthesizeStack } from '../local/cloud-assembly.ts';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local.ts';
import { tableDefinitions } from '../local/dynamodb/tables.ts';
import { parseCommandLine, wholeNumberOption } from '../local/cli.ts';
import { measureOrderUnits, useLocalPersonalDataKey, WRITE_UNITS_GOAL } from './order-usage.ts';

const { values } = parseCommandLine({
  script: 'bench:write-units',
  summary: 'Counts the DynamoDB write units of happy-path orders (place, lock, route, ship) on DynamoDB Local, per step and per item and index, and whether the goal is met.',
  options: { orders: { type: 'string' }, json: { type: 'boolean' } },
  help: { orders: 'orders to average over (default 20)', json: 'print the figures as JSON instead of a table' },
});
const ORDERS = wholeNumberOption('bench:write-units', 'orders', values.orders, 20, 1);

const { template } = synthesizeStack('bench');
const [definition] = tableDefinitions(template, () => 'write-units');
if (!definition) throw new Error('no table in the stack');
const kms = await useLocalPersonalDataKey();
const dynamodb = await startDynamoDbLocal();
try {
  const { units, counter } = await measureOrderUnits(dynamodb, definition, ORDERS);
  const met = units.writeUnitsPerOrder <= WRITE_UNITS_GOAL;
  if (values.json) {
    console.log(JSON.stringify({ ...units, goal: WRITE_UNITS_GOAL, met }, null, 2));
  } else {
    const figure = (n: number) => String(Math.round(n * 100) / 100);
    const targets = [...new Set(Object.values(units.writeUnitsByTarget).flatMap(Object.keys))].sort();
    const steps = Object.keys(units.writeUnitsByStep);
    const width = Math.max(...targets.map((t) => t.length), 'write units per order'.length);
    const row = (label: string, cells: string[]) => `${label.padEnd(width)}  ${cells.map((c) => c.padStart(6)).join('')}`;
    console.log(row('write units per order', [...steps, 'total']));
    for (const target of targets) {
      const cells = steps.map((step) => units.writeUnitsByTarget[step]![target] ?? 0);
      console.log(row(target, [...cells.map((n) => (n ? figure(n) : '·')), figure(cells.reduce((a, b) => a + b, 0))]));
    }
    console.log(row('all', [...steps.map((step) => figure(units.writeUnitsByStep[step]!)), figure(units.writeUnitsPerOrder)]));
    console.log(
      `\n${figure(units.writeUnitsPerOrder)} write units per order (${ORDERS} orders), goal ≤ ${WRITE_UNITS_GOAL}: ${met ? 'met' : 'not met'}; ` +
        `${figure(units.readUnitsPerOrder)} read units, ${figure(units.requestsPerOrder)} requests (${figure(units.writeRequestsPerOrder)} writes).`,
    );
    // DynamoDB Local reports single-item writes correctly (not transactions): the computed figure must agree with it.
    console.log(`Single-item writes: ${counter.computedSingleWrites} units computed, ${counter.reportedSingleWrites} reported by DynamoDB Local.`);
  }
} finally {
  await dynamodb.stop();
  await kms.stop();
}
