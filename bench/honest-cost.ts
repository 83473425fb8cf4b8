/**
 * Per-order usage for the cost table from one unloaded run (bench/unloaded.ts), the counted
 * DynamoDB units, and the logging and tracing the template configures: every Lambda priced at
 * its unloaded duration and its configured memory, logs at the configured levels, traces at
 * the default sampling.
 */
import type { PerOrderUsage } from './order-cost.ts';
import {
  DEFAULT_TRACE_SAMPLING,
  expressLogRecords,
  logEventBytes,
  platformLogBytesPerInvocation,
  tracesRecordedPerOrder,
  type LoggingConfiguration,
} from './observability-usage.ts';
import type { UnloadedRun } from './unloaded.ts';

const GB = 1024 ** 3;

/** A representative execution role ARN, as long as CloudFormation's generated ones. */
const ROLE_ARN = 'arn:aws:iam::123456789012:role/OrderPipeline-prod-FulfilmentStateMachineRole1A2B3C4D-AbCdEfGhIjKl';

export interface LogBytesPerOrder {
  /** Written by the functions (Powertools JSON lines, EMF metrics), measured. */
  functionApplication: number;
  /** Lambda's platform lines at the configured system log level, modelled. */
  functionPlatform: number;
  /** The Express execution log at the configured level, modelled from the run's histories. */
  express: number;
}

export interface HonestUsage {
  usage: PerOrderUsage;
  logBytes: LogBytesPerOrder;
  traceRootsPerOrder: number;
}

export function honestUsage(input: {
  run: UnloadedRun;
  dynamodb: { writeUnitsPerOrder: number; readUnitsPerOrder: number };
  logging: LoggingConfiguration;
  /** Function ARN per Task state name, as the definition substitutes them. */
  taskFunctionArns: Record<string, string>;
  kmsRequests: number;
  /** One-time schedules run per order in the same run (hold windows, payment timeouts). */
  schedulerInvocations: number;
}): HonestUsage {
  const { run, logging } = input;
  const functionApplication = run.functions.reduce((sum, fn) => sum + fn.logBytesPerOrder, 0);
  const functionPlatform = run.functions.reduce(
    (sum, fn) => sum + fn.invocationsPerOrder * platformLogBytesPerInvocation(logging.systemLogLevel[fn.logicalId] ?? 'INFO', fn.memoryMb),
    0,
  );
  const express =
    run.executions.reduce(
      (sum, execution) =>
        sum +
        logEventBytes(
          expressLogRecords(execution.history, {
            executionArn: execution.executionArn,
            roleArn: ROLE_ARN,
            functionArns: input.taskFunctionArns,
            level: logging.express.level,
          }),
        ),
      0,
    ) / run.orders;
  const invocations = run.functions.reduce((sum, fn) => sum + fn.invocationsPerOrder, 0);
  // Every invocation outside the workflow starts a trace (API, stream batches); the workflow's
  // tasks join the execution's trace, which joins the publisher's through EventBridge.
  const traceRootsPerOrder = invocations - run.workflowTaskInvocationsPerOrder;
  return {
    usage: {
      httpRequests: 1,
      dynamodbWriteUnits: input.dynamodb.writeUnitsPerOrder,
      dynamodbReadUnits: input.dynamodb.readUnitsPerOrder,
      lambda: run.functions.map((fn) => ({ invocations: fn.invocationsPerOrder, avgDurationMs: fn.avgDurationMs, memoryMb: fn.memoryMb })),
      eventsPut: run.eventsPerOrder,
      workflowRequests: run.executionsPerOrder,
      workflowStateTransitions: run.stateTransitionsPerOrder,
      workflowGbSeconds: { durationMs: run.avgExecutionMs, memoryMb: 64 },
      functionLogGb: (functionApplication + functionPlatform) / GB,
      workflowLogGb: express / GB,
      tracesRecorded: tracesRecordedPerOrder(traceRootsPerOrder, DEFAULT_TRACE_SAMPLING.fixedRate),
      kmsRequests: input.kmsRequests,
      schedulerInvocations: input.schedulerInvocations,
    },
    logBytes: { functionApplication, functionPlatform, express },
    traceRootsPerOrder,
  };
}
