/**
 * costPerMillionOrders: every expected dollar figure below is worked out by hand from the
 * price table (first tier, no free tier), so a unit or rounding slip in the code fails here.
 */
import { describe, it, expect } from 'vitest';
import { costPerMillionOrders, expressGbSeconds, formatCost, kmsRequestsPerOrder, type PerOrderUsage } from '../../bench/order-cost.ts';
import { PRICES_US_EAST_1, unitPrice, type Price } from '../../bench/prices.ts';

// Per order: 1 HTTP request, 20 WRU, 10 RRU, 4 arm64 invocations of 100 ms at 512 MB,
// 1 event, 1 Express execution of 250 ms using 50 MB, 5 state transitions, 10 KB of logs.
const usage: PerOrderUsage = {
  httpRequests: 1,
  dynamodbWriteUnits: 20,
  dynamodbReadUnits: 10,
  lambda: [{ invocations: 4, avgDurationMs: 100, memoryMb: 512 }],
  eventsPut: 1,
  workflowRequests: 1,
  workflowStateTransitions: 5,
  workflowGbSeconds: { durationMs: 250, memoryMb: 50 },
  streamReadRequestsByLambda: 1,
  functionLogGb: 0.00001,
  workflowLogGb: 0.000002,
  tracesRecorded: 0.2,
};

describe('expressGbSeconds', () => {
  it('rounds duration up to 100 ms and memory up to a 64 MB chunk', () => {
    expect(expressGbSeconds({ durationMs: 250, memoryMb: 50 })).toBeCloseTo(0.3 * (64 / 1024), 12); // 0.01875
    expect(expressGbSeconds({ durationMs: 300, memoryMb: 64 })).toBeCloseTo(0.01875, 12);
    expect(expressGbSeconds({ durationMs: 301, memoryMb: 65 })).toBeCloseTo(0.4 * (128 / 1024), 12); // 0.05
    expect(expressGbSeconds({ durationMs: 1, memoryMb: 1 })).toBeCloseTo(0.1 * 0.0625, 12);
  });
});

describe('costPerMillionOrders', () => {
  const cost = costPerMillionOrders(usage, PRICES_US_EAST_1);

  it('prices each service per million orders', () => {
    expect(cost.lines.apiGatewayHttp).toBeCloseTo(1.0, 9); // 1M requests × $1/M
    expect(cost.lines.dynamodbWrites).toBeCloseTo(12.5, 9); // 20M WRU × $0.625/M
    expect(cost.lines.dynamodbReads).toBeCloseTo(1.25, 9); // 10M RRU × $0.125/M
    expect(cost.lines.dynamodbStreams).toBe(0); // Lambda trigger reads are free
    expect(cost.lines.lambdaRequests).toBeCloseTo(0.8, 9); // 4M × $0.20/M
    expect(cost.lines.lambdaDuration).toBeCloseTo(2.66668, 9); // 4 × 0.1 s × 0.5 GB = 0.2 GB-s → 200,000 GB-s × $0.0000133334
    expect(cost.lines.eventBridgePut).toBeCloseTo(1.0, 9); // 1M × $1/M
    expect(cost.lines.stepFunctionsExpressRequests).toBeCloseTo(1.0, 9); // 1M × $1/M
    expect(cost.lines.stepFunctionsExpressDuration).toBeCloseTo(0.3125, 9); // 18,750 GB-s × $0.06/3600
    expect(cost.lines.lambdaLogs).toBeCloseTo(5.0, 9); // 10 GB × $0.50
    expect(cost.lines.stepFunctionsLogs).toBeCloseTo(1.0, 9); // 2 GB × $0.50
    expect(cost.lines.xrayTraces).toBeCloseTo(1.0, 9); // 200,000 traces × $5/M
  });

  it('adds up to the total, and swaps Express charges for transitions under Standard', () => {
    expect(cost.total).toBeCloseTo(27.52918, 9);
    expect(cost.ifStandardWorkflow.stateTransitions).toBeCloseTo(125, 9); // 5M × $0.025/1,000
    expect(cost.ifStandardWorkflow.total).toBeCloseTo(27.52918 - 1 - 0.3125 + 125, 9); // 151.21668
  });

  it('accepts Lambda GB-seconds directly and prices x86 at the x86 rate', () => {
    const x86 = costPerMillionOrders(
      { ...usage, lambda: [{ invocations: 4, gbSeconds: 0.2, architecture: 'x86_64' }], workflowGbSeconds: 0.01875 },
      PRICES_US_EAST_1,
    );
    expect(x86.lines.lambdaDuration).toBeCloseTo(3.33334, 9); // 200,000 GB-s × $0.0000166667
    expect(x86.lines.stepFunctionsExpressDuration).toBeCloseTo(0.3125, 9);
    expect(x86.total).toBeCloseTo(27.52918 - 2.66668 + 3.33334, 9);
  });

  it('rounds Lambda average duration up to a whole millisecond', () => {
    const rounded = costPerMillionOrders(
      { ...usage, lambda: [{ invocations: 1, avgDurationMs: 99.2, memoryMb: 1024 }] },
      PRICES_US_EAST_1,
    );
    expect(rounded.lines.lambdaDuration).toBeCloseTo(0.1 * 1_000_000 * 0.0000133334, 9); // 100 ms × 1 GB
  });
});

describe('price table', () => {
  it('records source, check date and verification on every price', () => {
    const { region, ...services } = PRICES_US_EAST_1;
    expect(region).toBe('us-east-1');
    const prices = Object.values(services).flatMap((group) => Object.values(group)) as Price[];
    expect(prices.length).toBeGreaterThanOrEqual(11);
    for (const price of prices) {
      expect(price.source).toMatch(/^https:\/\/(aws\.amazon\.com|docs\.aws\.amazon\.com)\//);
      expect(price.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof price.verified).toBe('boolean');
    }
    expect(unitPrice(PRICES_US_EAST_1.stepFunctions.expressDuration)).toBeCloseTo(0.0000166667, 10);
  });
});

describe('formatCost', () => {
  it('prints one aligned line per service plus the totals', () => {
    const lines = formatCost(costPerMillionOrders(usage, PRICES_US_EAST_1));
    expect(lines[0]).toContain('us-east-1');
    expect(lines).toContainEqual(expect.stringMatching(/^DynamoDB writes \(on-demand\)\s+\$12\.50$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Total \(Express workflow\)\s+\$27\.53$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Total if the workflow were Standard\s+\$151\.22$/));
    const widths = new Set(lines.slice(2).map((line) => line.length));
    expect(widths.size).toBe(1);
  });
});

describe('kmsRequestsPerOrder', () => {
  it('counts one GenerateDataKey and one Decrypt per opening function for each data key, per instance', () => {
    const use = { sealedValuesPerOrder: 4, valuesPerDataKey: 10_000, openingFunctions: 2, instancesPerFunction: 10 };
    // 4 / 10,000 data keys per order × 10 instances × (1 sealing + 2 opening) = 0.012 requests.
    expect(kmsRequestsPerOrder(use)).toBeCloseTo(0.012, 12);
    // 12,000 requests per million orders × $0.03 / 10,000.
    expect(costPerMillionOrders({ ...usage, kmsRequests: kmsRequestsPerOrder(use) }, PRICES_US_EAST_1).lines.kmsRequests).toBeCloseTo(0.036, 9);
    expect(costPerMillionOrders(usage, PRICES_US_EAST_1).lines.kmsRequests).toBe(0);
  });
});

describe('the scheduler line', () => {
  it('prices schedules run per order (a hold window and a payment timeout are one each), and nothing for an order with none', () => {
    // Half the orders held, a fifth awaiting payment: 0.7 schedules per order × 1M × $1/M.
    expect(costPerMillionOrders({ ...usage, schedulerInvocations: 0.7 }, PRICES_US_EAST_1).lines.schedulerInvocations).toBeCloseTo(0.7, 9);
    expect(costPerMillionOrders(usage, PRICES_US_EAST_1).lines.schedulerInvocations).toBe(0);
  });
});
