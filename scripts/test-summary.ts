/**
 * Prints the closing line CI counts ("N passed, N failed[, N skipped]") from vitest's JSON
 * reports, which `npm test` and `npm run test:browser` write next to their console output.
 *
 * vitest's own counts leave out a test file that fails before any test runs (an import or a
 * `beforeAll` that throws) and errors outside tests: each such file, and a run that failed with
 * no failure to show for it, counts as one failure here, so the line never says "0 failed" for a
 * red run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface VitestJsonReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ status: string }> }>;
}

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(report: VitestJsonReport): TestSummary {
  const failedFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  let failed = report.numFailedTests + failedFiles;
  if (!report.success && failed === 0) failed = 1;
  return { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests };
}

export function summaryLine({ passed, failed, skipped }: TestSummary): string {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/** The counts of several runs (`npm test`, `npm run test:browser`) as one. */
export function combine(summaries: readonly TestSummary[]): TestSummary {
  return summaries.reduce((sum, next) => ({ passed: sum.passed + next.passed, failed: sum.failed + next.failed, skipped: sum.skipped + next.skipped }), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const paths = process.argv.length > 2 ? process.argv.slice(2) : ['test-results/vitest.json'];
  let missing = false;
  const summaries = paths.map((path): TestSummary => {
    try {
      return summarize(JSON.parse(readFileSync(path, 'utf8')) as VitestJsonReport);
    } catch {
      console.error(`No test report at ${path}: the test run did not finish.`);
      missing = true;
      return { passed: 0, failed: 1, skipped: 0 };
    }
  });
  console.log(summaryLine(combine(summaries)));
  if (missing) process.exit(1);
}
