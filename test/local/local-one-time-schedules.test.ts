/**
 * The local EventBridge Scheduler's one-time schedules, through the real SDK client and the adapter the
 * functions use (functions/timers/scheduler-timers.ts): what the handlers rely on behaves as on AWS.
 */
import { ConflictException, CreateScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atExpression, SchedulerTimers } from '../../functions/timers/scheduler-timers.ts';
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws-endpoint.ts';
import { LOCAL_AWS_ENV } from '../../local/dynamodb/dynamodb-local.ts';
import { LocalOneTimeSchedules } from '../../local/scheduler/local-one-time-schedules.ts';
import type { FunctionTopology } from '../../local/topology.ts';

const TARGET_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:timers-fire';
const GROUP = 'order-pipeline-test-timers';
const invocations: Array<{ logicalId: string; input: unknown; at: number }> = [];
let failNext = 0;
/** When set, the next invocation says it has started and waits for `released`. */
let gate: { entered: () => void; released: Promise<void> } | undefined;
let engine: LocalOneTimeSchedules;
let endpoint: AwsEndpoint;
let client: SchedulerClient;

beforeAll(async () => {
  engine = new LocalOneTimeSchedules({
    groups: [GROUP],
    functions: [{ logicalId: 'TimersFire', arn: TARGET_ARN } as FunctionTopology],
    invoke: async (logicalId, input) => {
      const held = gate;
      gate = undefined;
      if (held) {
        held.entered();
        await held.released;
      }
      if (failNext > 0) {
        failNext--;
        throw new Error('target failed (test)');
      }
      invocations.push({ logicalId, input, at: Date.now() });
    },
    retryBaseDelayMs: 10,
  });
  endpoint = await startAwsEndpoint({}, (method, path, query, body) => engine.handle(method, path, query, body));
  client = new SchedulerClient({
    endpoint: endpoint.url,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  await engine.stop();
  await endpoint.stop();
});

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
/** Polls until `condition` holds; the deadline is generous (a loaded machine), the failure names what never happened. */
const waitFor = async (what: string, condition: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms (pending: ${engine.pending().join(', ') || 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const create = (name: string, overrides: Record<string, unknown> = {}) =>
  client.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: GROUP,
      ScheduleExpression: atExpression(inSeconds(3_600)),
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: TARGET_ARN, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: '{"orderId":"o-1","kind":"release-hold"}' },
      ...overrides,
    }),
  );

describe('one-time schedules over the SDK', () => {
  it('creates, reads and deletes a schedule; a name is taken once per group', async () => {
    const created = await create('release-hold-A');
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/release-hold-A`);
    const read = await client.send(new GetScheduleCommand({ Name: 'release-hold-A', GroupName: GROUP }));
    expect(read).toMatchObject({ Name: 'release-hold-A', GroupName: GROUP, ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(read.CreationDate).toBeInstanceOf(Date);
    await expect(create('release-hold-A')).rejects.toBeInstanceOf(ConflictException);

    const timers = new SchedulerTimers({ groupName: GROUP, targetArn: TARGET_ARN, roleArn: 'arn:aws:iam::000000000000:role/scheduler' }, client);
    await timers.cancel({ orderId: 'A', kind: 'release-hold' });
    await expect(client.send(new GetScheduleCommand({ Name: 'release-hold-A', GroupName: GROUP }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Deleting what is gone is no error for the adapter (a timer already run, or never made).
    await timers.cancel({ orderId: 'A', kind: 'release-hold' });
  });

  it('refuses a group the stack does not have and an expression it cannot run', async () => {
    await expect(create('x', { GroupName: 'someone-elses' })).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(create('y', { ScheduleExpression: 'cron(0 12 * * ? *)' })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('runs the target with the input at its time, then deletes the schedule; a second create by the adapter changes nothing', async () => {
    const timers = new SchedulerTimers({ groupName: GROUP, targetArn: TARGET_ARN, roleArn: 'arn:aws:iam::000000000000:role/scheduler' }, client);
    // Due in 3 s: the second create and the pending check must come before it runs, even on a loaded machine.
    const at = inSeconds(3);
    const before = invocations.length;
    await timers.schedule({ orderId: 'B', kind: 'release-hold', at });
    await timers.schedule({ orderId: 'B', kind: 'release-hold', at: inSeconds(3_600) });
    // Still the first schedule: had it already run, the second create would have made a new one.
    expect((await client.send(new GetScheduleCommand({ Name: 'release-hold-B', GroupName: GROUP }))).ScheduleExpression).toBe(atExpression(at));
    await waitFor('release-hold-B did not run', () => invocations.length > before);
    expect(invocations.at(-1)).toMatchObject({ logicalId: 'TimersFire', input: { orderId: 'B', kind: 'release-hold' } });
    // Never before its time: at() is rounded up to the second.
    expect(invocations.at(-1)!.at).toBeGreaterThanOrEqual(Date.parse(at));
    await waitFor('release-hold-B was not deleted after it ran', () => !engine.pending().includes(`${GROUP}/release-hold-B`));
    await expect(client.send(new GetScheduleCommand({ Name: 'release-hold-B', GroupName: GROUP }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('retries a target that fails, within the retry policy', async () => {
    failNext = 2;
    const before = invocations.length;
    await create('retried', { ScheduleExpression: atExpression(inSeconds(0)), Target: { Arn: TARGET_ARN, RoleArn: 'r', Input: '{}', RetryPolicy: { MaximumRetryAttempts: 3 } } });
    await waitFor('the retried schedule never succeeded', () => invocations.length > before);
    expect(failNext).toBe(0);
  });

  it('runs a schedule on request before its time', async () => {
    await create('early');
    const before = invocations.length;
    await engine.runNow(GROUP, 'early');
    expect(invocations.length).toBe(before + 1);
    expect(engine.pending()).not.toContain(`${GROUP}/early`);
  });

  it('runs a schedule once when asked to run it while its own run is under way', async () => {
    let entered!: () => void;
    let release!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    gate = { entered, released: new Promise<void>((resolve) => (release = resolve)) };
    const before = invocations.length;
    await create('joined', { ScheduleExpression: atExpression(inSeconds(0)) });
    // Its time came (within the second): the run is in its target when the request comes.
    await started;
    const asked = engine.runNow(GROUP, 'joined');
    release();
    await asked;
    await new Promise((resolve) => setImmediate(resolve));
    expect(invocations.length).toBe(before + 1);
    expect(engine.pending()).not.toContain(`${GROUP}/joined`);
  });
});

describe('stopping while a target fails', () => {
  it('keeps the schedule, in its file too, and does not wait out the retry backoff', { timeout: 30_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'one-time-')), 'one-time-schedules.json');
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const options = {
      groups: [GROUP],
      functions: [{ logicalId: 'TimersFire', arn: TARGET_ARN } as FunctionTopology],
      file,
      // A minute before the retry: the stop below must not wait for it (the test's timeout is 30 s).
      retryBaseDelayMs: 60_000,
    };
    const stopping = new LocalOneTimeSchedules({
      ...options,
      invoke: async () => {
        failed();
        throw new Error('the cloud is stopping (test)');
      },
    });
    stopping.handle('POST', '/schedules/kept', new URLSearchParams(), {
      GroupName: GROUP,
      ScheduleExpression: atExpression(inSeconds(0)),
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: TARGET_ARN, RoleArn: 'r', Input: '{}' },
    });
    await firstFailure;
    await stopping.stop();
    const restarted = new LocalOneTimeSchedules({ ...options, invoke: async () => undefined });
    expect(restarted.pending()).toContain(`${GROUP}/kept`);
    await restarted.stop();
  });
});

describe('at() expressions', () => {
  it('are whole seconds in UTC, rounded up', () => {
    expect(atExpression('2026-12-04T17:00:00.000Z')).toBe('at(2026-12-04T17:00:00)');
    expect(atExpression('2026-12-04T17:00:00.001Z')).toBe('at(2026-12-04T17:00:01)');
  });
});
