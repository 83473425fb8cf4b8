/** The log and trace model: which Express events each level logs, Lambda's platform lines by system level, levels read from a template. */
import { describe, expect, it } from 'vitest';
import {
  BYTES_PER_LOG_EVENT,
  expressLogRecords,
  logEventBytes,
  platformLogBytesPerInvocation,
  readLoggingConfiguration,
  tracesRecordedPerOrder,
  type LocalHistoryEvent,
} from '../../bench/observability-usage.ts';

const task = (name: string) => ({ name, type: 'Task' });
const happyPath: LocalHistoryEvent[] = [
  { type: 'ExecutionStarted' },
  { type: 'StateEntered', state: task('LockStock') },
  { type: 'StateExited', state: task('LockStock') },
  { type: 'StateEntered', state: { name: 'Routed?', type: 'Choice' } },
  { type: 'StateExited', state: { name: 'Routed?', type: 'Choice' } },
  { type: 'ExecutionSucceeded' },
];
const context = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:express:Fulfilment:e1:run',
  roleArn: 'arn:aws:iam::123456789012:role/Fulfilment',
  functionArns: { LockStock: 'arn:aws:lambda:us-east-1:123456789012:function:LockStock' },
};

describe('expressLogRecords', () => {
  it('logs every service event at ALL: a Lambda task is entered, scheduled, started, succeeds and exits', () => {
    const records = expressLogRecords(happyPath, { ...context, level: 'ALL' }).map((r) => JSON.parse(r) as { type: string; id: string; details: unknown });
    expect(records.map((r) => r.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'ExecutionSucceeded',
    ]);
    expect(records[2]!.details).toEqual({ resource: context.functionArns.LockStock, resourceType: 'lambda' });
    expect(records.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('logs nothing of a successful execution at ERROR, and its failures keep their place in the numbering', () => {
    expect(expressLogRecords(happyPath, { ...context, level: 'ERROR' })).toEqual([]);
    const failed: LocalHistoryEvent[] = [happyPath[0]!, happyPath[1]!, { type: 'StateFailed', state: task('LockStock') }, { type: 'ExecutionFailed' }];
    const records = expressLogRecords(failed, { ...context, level: 'ERROR' }).map((r) => JSON.parse(r) as { type: string; id: string });
    expect(records).toMatchObject([
      { type: 'LambdaFunctionFailed', id: '5' },
      { type: 'ExecutionFailed', id: '6' },
    ]);
    expect(expressLogRecords(failed, { ...context, level: 'FATAL' }).map((r) => JSON.parse(r).type)).toEqual(['ExecutionFailed']);
    expect(expressLogRecords(failed, { ...context, level: 'OFF' })).toEqual([]);
  });

  it('counts each event with CloudWatch Logs per-event overhead', () => {
    expect(logEventBytes(['ab', 'cde'])).toBe(5 + 2 * BYTES_PER_LOG_EVENT);
  });
});

describe('platformLogBytesPerInvocation', () => {
  it('writes a start and a report line at INFO and below, nothing from WARN', () => {
    expect(platformLogBytesPerInvocation('INFO', 512)).toBeGreaterThan(2 * BYTES_PER_LOG_EVENT + 200);
    expect(platformLogBytesPerInvocation('DEBUG', 512)).toBe(platformLogBytesPerInvocation('INFO', 512));
    expect(platformLogBytesPerInvocation('WARN', 512)).toBe(0);
  });
});

describe('readLoggingConfiguration', () => {
  it('reads the state machine level and each function system level, INFO when the template leaves it out', () => {
    const template = {
      Resources: {
        Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false } } },
        Quiet: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN' } } },
        Plain: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogFormat: 'JSON' } } },
      },
    };
    expect(readLoggingConfiguration(template)).toEqual({
      express: { level: 'ERROR', includeExecutionData: false },
      systemLogLevel: { Quiet: 'WARN', Plain: 'INFO' },
    });
  });
});

describe('tracesRecordedPerOrder', () => {
  it('samples 5 % of trace roots by default', () => {
    expect(tracesRecordedPerOrder(3)).toBeCloseTo(0.15, 12);
  });
});
