/**
 * What an order costs in logs and traces, as the deployed stack would write them:
 * - application logs: the bytes each function actually wrote in the local cloud (its Powertools
 *   JSON lines and EMF metrics), at the log level its environment configures;
 * - Lambda's platform lines (system logs): not written locally, so modelled per invocation from
 *   the documented JSON records, at the system log level the template configures;
 * - Express execution logs: not written locally, so modelled per history event from the documented
 *   record shape (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html), at the
 *   template's level and includeExecutionData;
 * - X-Ray: trace roots per order times the sampling rate of the default rule.
 * Modelled records count their bytes plus CloudWatch Logs' 26 bytes per event (how PutLogEvents
 * counts a batch; an upper bound if ingestion is billed on message bytes alone); the functions'
 * own lines count as written, without it.
 */
import type { Json } from '../local/topology.ts';

export const BYTES_PER_LOG_EVENT = 26;

/** Lambda's default sampling with active tracing: the first request each second, then 5 % (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html). */
export const DEFAULT_TRACE_SAMPLING = { reservoirPerSecond: 1, fixedRate: 0.05 } as const;

export type ExpressLogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
export type LambdaLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface LoggingConfiguration {
  express: { level: ExpressLogLevel; includeExecutionData: boolean };
  /** System log level per function logical id (Lambda's default with the JSON format is INFO). */
  systemLogLevel: Record<string, LambdaLogLevel>;
}

type Resources = Record<string, { Type: string; Properties?: Json }>;

/** Log levels as the synthesized template configures them; one Express state machine is expected. */
export function readLoggingConfiguration(template: { Resources: Resources }): LoggingConfiguration {
  const resources = Object.entries(template.Resources);
  const machines = resources.filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine, found ${machines.length}`);
  const logging = machines[0]![1].Properties?.LoggingConfiguration ?? {};
  const systemLogLevel: Record<string, LambdaLogLevel> = {};
  for (const [id, r] of resources) {
    if (r.Type === 'AWS::Lambda::Function') systemLogLevel[id] = r.Properties?.LoggingConfig?.SystemLogLevel ?? 'INFO';
  }
  return {
    express: { level: logging.Level ?? 'OFF', includeExecutionData: logging.IncludeExecutionData === true },
    systemLogLevel,
  };
}

const LAMBDA_LEVELS: readonly LambdaLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/**
 * Bytes of the platform lines Lambda writes for one warm invocation in JSON format:
 * `platform.start` and `platform.report` (INFO), none at WARN and above. The record shapes are
 * those of the Lambda guide's "Log-level filtering" and "Telemetry API" pages; ids and trace
 * headers have their real lengths.
 */
export function platformLogBytesPerInvocation(systemLogLevel: LambdaLogLevel, memoryMb: number): number {
  if (LAMBDA_LEVELS.indexOf(systemLogLevel) > LAMBDA_LEVELS.indexOf('INFO')) return 0;
  const time = '2026-12-04T12:00:00.000Z';
  const requestId = '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa';
  const lines = [
    { time, type: 'platform.start', record: { requestId, version: '$LATEST' } },
    {
      time,
      type: 'platform.report',
      record: {
        requestId,
        metrics: { durationMs: 12.34, billedDurationMs: 13, memorySizeMB: memoryMb, maxMemoryUsedMB: 91 },
        tracing: { spanId: '3c4f5a6b7c8d9e0f', type: 'X-Amzn-Trace-Id', value: 'Root=1-675052c0-0a1b2c3d4e5f6a7b8c9d0e1f;Parent=3c4f5a6b7c8d9e0f;Sampled=1' },
        status: 'success',
      },
    },
  ];
  return lines.reduce((sum, line) => sum + Buffer.byteLength(JSON.stringify(line)) + BYTES_PER_LOG_EVENT, 0);
}

/** A history event as aws-local-stepfunctions reports it (only what the mapping needs). */
export interface LocalHistoryEvent {
  type: string;
  state?: { name: string; type: string };
}

/** The service's history events for one local event: a Lambda Task is entered, scheduled, started, succeeds and exits. */
function serviceEvents(event: LocalHistoryEvent): Array<{ type: string; state?: string }> {
  const state = event.state?.name;
  const task = event.state?.type === 'Task';
  switch (event.type) {
    case 'StateEntered':
      return task
        ? [{ type: 'TaskStateEntered', state }, { type: 'LambdaFunctionScheduled', state }, { type: 'LambdaFunctionStarted' }]
        : [{ type: `${event.state?.type ?? ''}StateEntered`, state }];
    case 'StateExited':
      return task ? [{ type: 'LambdaFunctionSucceeded' }, { type: 'TaskStateExited', state }] : [{ type: `${event.state?.type ?? ''}StateExited`, state }];
    case 'StateFailed':
      return [{ type: task ? 'LambdaFunctionFailed' : 'TaskFailed', state }];
    default:
      return [{ type: event.type, state }];
  }
}

const ERROR_EVENTS = /(Failed|TimedOut|Aborted)$/;
const FATAL_EVENTS = /^Execution(Failed|TimedOut|Aborted)$/;

function logged(type: string, level: ExpressLogLevel): boolean {
  if (level === 'ALL') return true;
  if (level === 'ERROR') return ERROR_EVENTS.test(type);
  if (level === 'FATAL') return FATAL_EVENTS.test(type);
  return false;
}

/**
 * The CloudWatch Logs records an Express execution writes for `history` at `level`, without
 * execution data (the stack never includes it): one per service history event, in the documented
 * shape `{id, type, details, previous_event_id, event_timestamp, execution_arn, redrive_count}`.
 */
export function expressLogRecords(
  history: readonly LocalHistoryEvent[],
  context: { executionArn: string; roleArn: string; functionArns: Record<string, string>; level: ExpressLogLevel },
): string[] {
  const records: string[] = [];
  let id = 0;
  for (const event of history.flatMap(serviceEvents)) {
    id += 1;
    if (!logged(event.type, context.level)) continue;
    const details =
      event.type === 'ExecutionStarted'
        ? { roleArn: context.roleArn }
        : event.type === 'LambdaFunctionScheduled'
          ? { resource: context.functionArns[event.state ?? ''] ?? '', resourceType: 'lambda' }
          : event.state
            ? { name: event.state }
            : {};
    records.push(
      JSON.stringify({
        id: String(id),
        type: event.type,
        details,
        previous_event_id: String(id - 1),
        event_timestamp: '1764849600000',
        execution_arn: context.executionArn,
        redrive_count: '0',
      }),
    );
  }
  return records;
}

export const logEventBytes = (records: readonly string[]): number =>
  records.reduce((sum, record) => sum + Buffer.byteLength(record) + BYTES_PER_LOG_EVENT, 0);

/** Traces recorded per order at steady volume, where the per-second reservoir is negligible. */
export const tracesRecordedPerOrder = (traceRootsPerOrder: number, fixedRate: number = DEFAULT_TRACE_SAMPLING.fixedRate): number =>
  traceRootsPerOrder * fixedRate;
