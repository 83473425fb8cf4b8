import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/dynamodb-global-setup.ts'],
    pool: 'forks',
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
