/**
 * Prints the closing line CI counts ("N passed, N failed[, N skipped]") from
 * vitest's JSON report, which `npm test` writes next to its console output.
 */
import { readFileSync } from 'node:fs';

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const path = process.argv[2] ?? 'test-results/vitest.json';
let report: VitestJsonReport;
try {
  report = JSON.parse(readFileSync(path, 'utf8')) as VitestJsonReport;
} catch {
  console.log('0 passed, 1 failed');
  console.error(`No test report at ${path}: the test run did not finish.`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
