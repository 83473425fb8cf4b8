import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/dynamodb-global-setup.ts'],
    pool: 'forks',
    // Two test files at once on this 2-core machine (vitest's default is cores - 1 = one at a time): a suite waiting
    // on a timer, a child process or DynamoDB Local leaves its core to the other (BENCHMARKS.md, "Test suite time").
    maxWorkers: 2,
    // The JSON report feeds the closing line CI counts (scripts/test-summary.ts).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Synthesis and DynamoDB Local transactions are slow on a shared 2-core machine; no test asserts time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    },
  },
});
