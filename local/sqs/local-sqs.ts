/**
 * SQS, locally, for the queues a function reads through an event source mapping: the SendMessage,
 * SendMessageBatch, GetQueueUrl and GetQueueAttributes calls the SDK makes (JSON protocol), and the
 * mapping's poller as Lambda runs it: batches of up to `BatchSize`, at most `MaximumConcurrency` at
 * once, partial batch failures, a failed message hidden for the visibility timeout, and after
 * `maxReceiveCount` receipts moved to the dead-letter queue. Messages live in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Operation } from '../aws-endpoint.ts';
import type { DeadLetterQueues } from '../dead-letters.ts';
import { LOCAL_REGION, type QueueMappingTopology, type QueueTopology } from '../topology.ts';

interface Message {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
}

interface LocalQueue {
  topology: QueueTopology;
  arn: string;
  messages: Message[];
  inFlight: number;
  /** The poll waiting for the earliest hidden message to become visible again. */
  wake?: { at: number; timer: NodeJS.Timeout };
}

export interface LocalSqsOptions {
  queues: readonly QueueTopology[];
  mappings: readonly QueueMappingTopology[];
  invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  deadLetters: DeadLetterQueues;
  /** How long a message of a failed batch stays hidden; the queue's visibility timeout by default. */
  retryDelayMs?: number;
  /** Batches of one mapping at once when the template caps none (Lambda would scale to hundreds). */
  defaultConcurrency?: number;
}

class QueueDoesNotExist extends Error {
  readonly status = 400;
  constructor(what: string) {
    super(`The specified queue does not exist: ${what}`);
    this.name = 'AWS.SimpleQueueService.NonExistentQueue';
  }
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export class LocalSqs {
  private readonly options: LocalSqsOptions;
  private readonly queues = new Map<string, LocalQueue>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(options: LocalSqsOptions) {
    this.options = options;
    for (const topology of options.queues) {
      this.queues.set(topology.logicalId, { topology, arn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:${topology.name}`, messages: [], inFlight: 0 });
    }
  }

  /** The JSON-protocol operations the SDK's SQS client sends (`AmazonSQS.SendMessage`, ...). */
  operations(): Record<string, Operation> {
    return {
      'AmazonSQS.SendMessage': (input) => this.send(this.byUrl(input.QueueUrl), String(input.MessageBody ?? '')),
      'AmazonSQS.SendMessageBatch': (input) => {
        const queue = this.byUrl(input.QueueUrl);
        const entries = (input.Entries ?? []) as Array<{ Id: string; MessageBody: string }>;
        return { Successful: entries.map((entry) => ({ Id: entry.Id, ...this.send(queue, entry.MessageBody) })), Failed: [] };
      },
      'AmazonSQS.GetQueueUrl': (input) => {
        const queue = [...this.queues.values()].find((q) => q.topology.name === input.QueueName);
        if (!queue) throw new QueueDoesNotExist(String(input.QueueName));
        return { QueueUrl: queue.topology.url };
      },
      'AmazonSQS.GetQueueAttributes': (input) => {
        const queue = this.byUrl(input.QueueUrl);
        const now = Date.now();
        return {
          Attributes: {
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAt <= now).length),
            ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAt > now).length),
          },
        };
      },
    };
  }

  /** Messages waiting or in flight, by queue name. */
  depths(): Record<string, number> {
    return Object.fromEntries([...this.queues.values()].map((queue) => [queue.topology.name, queue.messages.length]));
  }

  /**
   * Resolves once every queue a mapping reads is empty; throws when the time is up, naming the queues
   * still holding messages, so a caller fails here rather than later on a puzzling assertion.
   */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const polled = () => [...new Set(this.options.mappings.map((mapping) => this.queue(mapping.queueLogicalId)))];
    while (polled().some((queue) => queue.messages.length > 0)) {
      if (Date.now() >= deadline) {
        const now = Date.now();
        const left = polled()
          .filter((queue) => queue.messages.length > 0)
          .map((queue) => {
            const hidden = queue.messages.filter((message) => message.visibleAt > now).length;
            return `${queue.topology.name}: ${queue.messages.length} message(s), ${hidden} hidden, ${queue.inFlight} batch(es) in flight`;
          });
        throw new Error(`The local SQS did not drain within ${timeoutMs} ms; ${left.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const queue of this.queues.values()) clearTimeout(queue.wake?.timer);
    await Promise.allSettled(this.running);
  }

  private send(queue: LocalQueue, body: string): { MessageId: string; MD5OfMessageBody: string } {
    const message: Message = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 };
    queue.messages.push(message);
    this.poll(queue);
    return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
  }

  private byUrl(url: unknown): LocalQueue {
    const queue = [...this.queues.values()].find((q) => q.topology.url === url);
    if (!queue) throw new QueueDoesNotExist(String(url));
    return queue;
  }

  private queue(logicalId: string): LocalQueue {
    const queue = this.queues.get(logicalId);
    if (!queue) throw new Error(`No queue ${logicalId} in the template`);
    return queue;
  }

  /**
   * Starts as many batches as the mappings on this queue may run now. One reading of the clock for the
   * whole poll: were the wake-up to read it again, a message hidden when received (a millisecond before
   * its visibility) could count as visible when the wake-up is planned, and no poll would come for it.
   */
  private poll(queue: LocalQueue): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const mapping of this.options.mappings.filter((m) => m.queueLogicalId === queue.topology.logicalId)) {
      const limit = mapping.maximumConcurrency ?? this.options.defaultConcurrency ?? 10;
      while (queue.inFlight < limit) {
        const batch = this.receive(queue, mapping.batchSize, now);
        if (batch.length === 0) break;
        queue.inFlight++;
        const run = this.deliver(queue, mapping, batch).finally(() => {
          queue.inFlight--;
          this.running.delete(run);
          this.poll(queue);
        });
        this.running.add(run);
      }
    }
    this.wakeWhenVisible(queue, now);
  }

  /**
   * Lambda's poller never stops polling; locally the queue polls again when its earliest hidden
   * message becomes visible. A timer may fire a millisecond before `Date.now()` reaches that
   * instant, so a poll that finds the message still hidden simply waits again.
   */
  private wakeWhenVisible(queue: LocalQueue, now: number): void {
    const next = Math.min(...queue.messages.filter((message) => message.visibleAt > now).map((message) => message.visibleAt));
    if (!Number.isFinite(next) || (queue.wake && queue.wake.at <= next)) return;
    clearTimeout(queue.wake?.timer);
    const timer = setTimeout(() => {
      queue.wake = undefined;
      this.poll(queue);
    }, next - now);
    timer.unref();
    queue.wake = { at: next, timer };
  }

  /** Visible messages, oldest first, hidden for the visibility timeout; those received too often go to the dead-letter queue. */
  private receive(queue: LocalQueue, batchSize: number, now: number): Message[] {
    const batch: Message[] = [];
    for (const message of [...queue.messages]) {
      if (batch.length === batchSize) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.topology.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(queue, message);
        this.options.deadLetters.send(redrive.deadLetterQueueLogicalId, { messageId: message.messageId, body: message.body, receiveCount: message.receiveCount });
        continue;
      }
      message.receiveCount++;
      message.visibleAt = now + queue.topology.visibilityTimeoutSeconds * 1000;
      batch.push(message);
    }
    return batch;
  }

  private async deliver(queue: LocalQueue, mapping: QueueMappingTopology, batch: Message[]): Promise<void> {
    const event = {
      Records: batch.map((message) => ({
        messageId: message.messageId,
        receiptHandle: `${message.messageId}#${message.receiveCount}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: md5(message.body),
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: LOCAL_REGION,
      })),
    };
    let failed: Set<string>;
    try {
      const response = (await this.options.invoke(mapping.functionLogicalId, event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
      failed = new Set(mapping.reportBatchItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
    } catch {
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) this.remove(queue, message);
      else this.retryLater(queue, message);
    }
  }

  private retryLater(queue: LocalQueue, message: Message): void {
    message.visibleAt = Date.now() + (this.options.retryDelayMs ?? queue.topology.visibilityTimeoutSeconds * 1000);
  }

  /** A message received again after its visibility timeout may finish twice, as on AWS; it leaves once. */
  private remove(queue: LocalQueue, message: Message): void {
    const index = queue.messages.indexOf(message);
    if (index >= 0) queue.messages.splice(index, 1);
  }
}
