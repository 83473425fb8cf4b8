/** The local SQS over HTTP, driven by the real @aws-sdk/client-sqs as the place-order function uses it, and its event source mapping poller. */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws-endpoint.ts';
import { DeadLetterQueues } from '../../local/dead-letters.ts';
import { Feed } from '../../local/feed.ts';
import { LocalSqs, type LocalSqsOptions } from '../../local/sqs/local-sqs.ts';
import type { QueueMappingTopology, QueueTopology } from '../../local/topology.ts';

const QUEUE: QueueTopology = {
  logicalId: 'Intake',
  name: 'intake',
  url: 'https://sqs.us-east-1.amazonaws.com/000000000000/intake',
  visibilityTimeoutSeconds: 180,
  redrive: { deadLetterQueueLogicalId: 'IntakeDlq', maxReceiveCount: 3 },
};
const DLQ: QueueTopology = { logicalId: 'IntakeDlq', name: 'intake-dlq', url: 'https://sqs.us-east-1.amazonaws.com/000000000000/intake-dlq', visibilityTimeoutSeconds: 30 };
const MAPPING: QueueMappingTopology = { logicalId: 'Drain', functionLogicalId: 'Drainer', queueLogicalId: 'Intake', batchSize: 10, maximumConcurrency: 2, reportBatchItemFailures: true };

const running: Array<{ endpoint: AwsEndpoint; sqs: LocalSqs }> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const { endpoint, sqs } of running.splice(0)) {
    await sqs.stop();
    await endpoint.stop();
  }
});

async function serve(invoke: LocalSqsOptions['invoke']) {
  const deadLetters = new DeadLetterQueues([QUEUE, DLQ], new Feed());
  const sqs = new LocalSqs({ queues: [QUEUE, DLQ], mappings: [MAPPING], invoke, deadLetters, retryDelayMs: 10 });
  const endpoint = await startAwsEndpoint(sqs.operations());
  running.push({ endpoint, sqs });
  // As the function builds it: the endpoint from AWS_ENDPOINT_URL_SQS, the queue URL only naming the queue.
  const client = new SQSClient({ endpoint: endpoint.url, useQueueUrlAsEndpoint: false, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  return { client, sqs, deadLetters };
}

describe('LocalSqs', () => {
  it('takes messages from the SDK and hands them to the function in Lambda’s SQS event shape, in batches of at most BatchSize', async () => {
    const batches: SQSEvent[] = [];
    const { client, sqs } = await serve(async (logicalId, event) => {
      expect(logicalId).toBe('Drainer');
      batches.push(event as SQSEvent);
      return { batchItemFailures: [] };
    });
    const sent = await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: '{"n":0}' }));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await client.send(
      new SendMessageBatchCommand({ QueueUrl: QUEUE.url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"n":${i + 1}}` })) }),
    );
    for (let i = 0; i < 14; i++) await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: `{"n":${i + 11}}` }));
    await sqs.drain(30_000);
    const bodies = batches.flatMap((batch) => batch.Records.map((record) => JSON.parse(record.body).n as number));
    expect(bodies.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(Math.max(...batches.map((batch) => batch.Records.length))).toBeLessThanOrEqual(10);
    expect(batches[0]!.Records[0]).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:intake', attributes: { ApproximateReceiveCount: '1' } });
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'intake' }))).QueueUrl).toBe(QUEUE.url);
  });

  it('runs no more batches at once than the mapping’s maximum concurrency', async () => {
    let now = 0;
    let peak = 0;
    // Every batch waits until all 60 messages are in: however slowly the sends arrive on a loaded
    // machine, the first two batches overlap and the other 58 messages are waiting for a slot.
    let allSent!: () => void;
    const sent = new Promise<void>((resolve) => (allSent = resolve));
    const { client, sqs } = await serve(async () => {
      peak = Math.max(peak, ++now);
      await sent;
      now--;
      return {};
    });
    for (let i = 0; i < 60; i++) await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: String(i) }));
    allSent();
    await sqs.drain(30_000);
    expect(peak).toBe(2);
  });

  it('deletes what succeeded, returns the failed items, and moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const receipts = new Map<string, number>();
    const { client, sqs, deadLetters } = await serve(async (_, event) => {
      const records = (event as SQSEvent).Records;
      for (const record of records) receipts.set(record.body, Number(record.attributes.ApproximateReceiveCount));
      return { batchItemFailures: records.filter((record) => record.body === 'poison').map((record) => ({ itemIdentifier: record.messageId })) };
    });
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: 'good' }));
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: 'poison' }));
    await sqs.drain(30_000);
    expect(receipts).toEqual(new Map([['good', 1], ['poison', 3]]));
    expect(deadLetters.messages.get('intake-dlq')).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 3 })]);
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: QUEUE.url, AttributeNames: ['All'] }));
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('delivers a failed message again even when its retry timer fires before the clock reaches its visibility', async () => {
    // Node may fire a timer a millisecond before Date.now() reaches the instant it was set for;
    // a clock that falls behind after the first failure makes that certain.
    const realNow = Date.now.bind(Date);
    let lag = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - lag);
    const receipts: number[] = [];
    const { client, sqs } = await serve(async (_, event) => {
      const record = (event as SQSEvent).Records[0]!;
      receipts.push(Number(record.attributes.ApproximateReceiveCount));
      if (receipts.length > 1) return { batchItemFailures: [] };
      setImmediate(() => (lag = 30));
      return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
    });
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: 'once failed' }));
    await sqs.drain(30_000);
    expect(receipts).toEqual([1, 2]);
    expect(sqs.depths().intake).toBe(0);
  });

  it('delivers a failed message again even when the clock moves on between receiving and planning the next poll', async () => {
    // A clock that advances a millisecond each time it is read: a poll that read it once to receive and
    // again to plan its wake-up found the message hidden (a millisecond early) and then not hidden, and
    // planned none. Two retry delays, so that one of them puts the visibility on either reading.
    for (const retryDelayMs of [10, 11]) {
      let clock = 1_000_000;
      vi.spyOn(Date, 'now').mockImplementation(() => ++clock);
      let redelivered!: () => void;
      const again = new Promise<void>((resolve) => (redelivered = resolve));
      let receipts = 0;
      const deadLetters = new DeadLetterQueues([QUEUE, DLQ], new Feed());
      const sqs = new LocalSqs({
        queues: [QUEUE, DLQ],
        mappings: [MAPPING],
        deadLetters,
        retryDelayMs,
        invoke: async (_, event) => {
          const record = (event as SQSEvent).Records[0]!;
          if (++receipts === 1) return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
          redelivered();
          return { batchItemFailures: [] };
        },
      });
      // Straight to the operation, not over HTTP: nothing but the queue reads this clock.
      sqs.operations()['AmazonSQS.SendMessage']!({ QueueUrl: QUEUE.url, MessageBody: `retried after ${retryDelayMs} ms` });
      let timer: NodeJS.Timeout | undefined;
      const stranded = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the failed message was not delivered again (retry delay ${retryDelayMs} ms)`)), 10_000);
      });
      try {
        await Promise.race([again, stranded]);
      } finally {
        clearTimeout(timer);
        await sqs.stop();
        vi.restoreAllMocks();
      }
      expect(receipts).toBe(2);
    }
  });

  it('fails a drain that runs out of time, naming the queue still holding messages', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { client, sqs } = await serve(async () => {
      await released;
      return {};
    });
    await client.send(new SendMessageCommand({ QueueUrl: QUEUE.url, MessageBody: 'stuck' }));
    await expect(sqs.drain(50)).rejects.toThrow(/did not drain within 50 ms; intake: 1 message\(s\), 1 hidden, 1 batch\(es\) in flight/);
    release();
    await sqs.drain(30_000);
  });

  it('refuses a queue it does not have, as SQS does', async () => {
    const { client } = await serve(async () => ({}));
    await expect(client.send(new SendMessageCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/nope', MessageBody: 'x' }))).rejects.toMatchObject({
      name: expect.stringMatching(/NonExistentQueue|QueueDoesNotExist/),
    });
  });
});
