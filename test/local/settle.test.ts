/** Waiting for the local cloud to come to rest: round after round until the feed stops growing, and a clear failure when time runs out. */
import { describe, expect, it } from 'vitest';
import { settle, type SettlingParts } from '../../local/settle.ts';

/** Parts that drain at once; `overrides` give one of them work of its own. */
function parts(overrides: Partial<SettlingParts> = {}): SettlingParts & { published: { count: number } } {
  const published = { count: 0 };
  return {
    published,
    feed: { size: () => published.count },
    sqs: { drain: async () => undefined, depths: () => ({ intake: 0 }) },
    streams: { drain: async () => undefined },
    routing: { drain: async () => undefined, inFlight: () => 0 },
    stepFunctions: { drain: async () => undefined, runningCount: () => 0 },
    ...overrides,
  };
}

describe('settle', () => {
  it('drains round after round until a whole round adds nothing to the feed', async () => {
    let streamRounds = 0;
    const cloud = parts();
    // Each of the first three stream drains publishes an event (a workflow writes, the stream publishes again).
    cloud.streams = { drain: async () => void (++streamRounds <= 3 && cloud.published.count++) };
    await settle(cloud, 30_000);
    // Three rounds that published, then one quiet round.
    expect(streamRounds).toBe(4);
  });

  it('fails when the time is up, naming the workflow still running', async () => {
    const cloud = parts({ stepFunctions: { drain: () => new Promise(() => undefined), runningCount: () => 1 } });
    await expect(settle(cloud, 50)).rejects.toThrow(/did not settle within 50 ms: workflow executions did not end; still under way: .*1 execution\(s\) running/);
  });

  it('fails when the time is up, naming the queue a drain left messages in', async () => {
    const cloud = parts({
      sqs: { drain: async (ms) => Promise.reject(new Error(`The local SQS did not drain within ${ms} ms`)), depths: () => ({ intake: 2, other: 0 }) },
    });
    await expect(settle(cloud, 50)).rejects.toThrow(/did not settle within 50 ms: The local SQS did not drain .*; still under way: queue intake: 2 message\(s\), 0 bus/);
  });

  it('fails rather than returns when the feed is still growing at the deadline', async () => {
    const cloud = parts();
    cloud.streams = { drain: () => new Promise((resolve) => setTimeout(() => resolve(void cloud.published.count++), 5)) };
    await expect(settle(cloud, 50)).rejects.toThrow(/did not settle within 50 ms: the feed was still growing; still under way: /);
  });
});
