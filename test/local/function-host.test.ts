/**
 * The local function host: a handler in a worker thread, with Lambda's one-request-
 * at-a-time sandboxes approximated by a cap on invocations in flight per function.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFunction } from '../../local/lambda/function-host.ts';
import type { FunctionTopology } from '../../local/topology.ts';

const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

function sleepy(timeoutSeconds: number): FunctionTopology {
  return {
    logicalId: 'Sleepy',
    entry: 'test/fixtures/sleepy-handler.ts',
    exportName: 'handler',
    environment: {},
    timeoutSeconds,
    memoryMb: 512,
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:Sleepy',
  };
}

let fn: LocalFunction | undefined;
afterEach(async () => {
  await fn?.stop();
  fn = undefined;
});

describe('LocalFunction', () => {
  it('starts its thread on the first invocation, as a Lambda cold start, not when created', async () => {
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 1);
    expect(fn.started).toBe(false);
    expect(await fn.invoke({ ms: 1 })).toEqual({ concurrent: 1 });
    expect(fn.started).toBe(true);
    expect(fn.invocations).toBe(1);
  });

  it('answers nothing to an invocation whose thread the stop ends while loading, as to one arriving after the stop', async () => {
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 1);
    let settled = false;
    void fn.invoke({ ms: 1 }).finally(() => (settled = true));
    await fn.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
  });

  it('starts no thread for an invocation after it stopped (an execution still running when the cloud stops)', async () => {
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 1);
    await fn.stop();
    let settled = false;
    void fn.invoke({ ms: 1 }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fn.started).toBe(false);
    expect(settled).toBe(false);
  });

  it('runs at most maxConcurrent invocations at once and queues the rest', async () => {
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 2);
    const results = (await Promise.all(Array.from({ length: 6 }, () => fn!.invoke({ ms: 50 })))) as Array<{ concurrent: number }>;
    expect(results).toHaveLength(6);
    expect(Math.max(...results.map((r) => r.concurrent))).toBe(2);
    expect(fn.invocations).toBe(6);
    // Six invocations sleeping 50 ms each (timers may fire a hair early): busy time counts every one.
    expect(fn.busyMs).toBeGreaterThanOrEqual(6 * 45);
  });

  it('hands a finished invocation\'s slot to the one waiting, so one arriving meanwhile cannot run beside it', async () => {
    let late: Promise<unknown> | undefined;
    // The recorder hears of the first invocation's end as its slot is released: an invocation arriving right then.
    const recorder = { mark: (mark: { kind: string }) => void (mark.kind === 'invocation' && !late && (late = fn!.invoke({ ms: 50 }))) };
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 1, recorder);
    const first = await Promise.all([fn.invoke({ ms: 50 }), fn.invoke({ ms: 50 })]);
    const results = [...first, await late] as Array<{ concurrent: number }>;
    expect(results.map((result) => result.concurrent)).toEqual([1, 1, 1]);
  });

  it('counts the bytes a function writes and its own CPU time, which a sleeping handler barely uses', async () => {
    fn = new LocalFunction(sleepy(5), PROJECT_ROOT, {}, undefined, 1);
    const line = `${JSON.stringify({ level: 'INFO', message: 'Step done' })}\n`;
    await fn.invoke({ ms: 300, log: line });
    await fn.invoke({ ms: 300, log: line });
    await expect.poll(() => fn!.logBytes).toBe(2 * Buffer.byteLength(line));
    expect(fn.cpuMs).toBeGreaterThan(0);
    // Asleep for most of its 600 ms: the thread's CPU time is a fraction of the wall time.
    expect(fn.cpuMs).toBeLessThan(fn.busyMs / 2);
  });

  it('starts the timeout when an invocation starts, not while it waits in the queue', async () => {
    fn = new LocalFunction(sleepy(2), PROJECT_ROOT, {}, undefined, 1);
    // Five 500 ms invocations one after another: 2.5 s in all, so the last would time out were its
    // wait in the queue counted; each alone is 1.5 s within its 2 s timeout, room for a loaded machine.
    const results = await Promise.all(Array.from({ length: 5 }, () => fn!.invoke({ ms: 500 })));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ concurrent: 1 })));
    await expect(fn.invoke({ ms: 4000 })).rejects.toMatchObject({ name: 'States.Timeout' });
  });
});
