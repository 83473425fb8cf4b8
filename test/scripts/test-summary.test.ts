import { describe, expect, it } from 'vitest';
import { combine, summarize, summaryLine, type VitestJsonReport } from '../../scripts/test-summary.ts';

/**
 * The shape vitest 5's JSON reporter wrote for a run of two files: one that fails to import a
 * module (no tests run), one with a passing and a failing test.
 */
const report = (overrides: Partial<VitestJsonReport> = {}): VitestJsonReport => ({
  success: false,
  numPassedTests: 1,
  numFailedTests: 1,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [
    { name: '/repo/test/broken.test.ts', status: 'failed', assertionResults: [] },
    { name: '/repo/test/ok.test.ts', status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'failed' }] },
  ],
  ...overrides,
});

describe('the closing line CI counts', () => {
  it('counts a test file that failed to load as a failure, beside failed tests', () => {
    expect(summaryLine(summarize(report()))).toBe('1 passed, 2 failed');
  });

  it('does not count a file twice when its failure is a failed test', () => {
    const summary = summarize(report({ testResults: [report().testResults[1]!] }));
    expect(summary).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });

  it('never says "0 failed" for a run vitest reports as unsuccessful', () => {
    const summary = summarize(report({ numFailedTests: 0, testResults: [] }));
    expect(summary.failed).toBe(1);
  });

  it('reports a green run as it is, with skipped tests', () => {
    const green = report({
      success: true,
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 1,
      numTodoTests: 1,
      testResults: [{ name: '/repo/test/a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] }],
    });
    expect(summaryLine(summarize(green))).toBe('3 passed, 0 failed, 2 skipped');
  });
});

describe('several reports', () => {
  it('adds up the runs, so a red browser run shows in the one line CI reads', () => {
    expect(summaryLine(combine([{ passed: 1199, failed: 0, skipped: 0 }, { passed: 0, failed: 1, skipped: 0 }]))).toBe('1199 passed, 1 failed');
  });
});
