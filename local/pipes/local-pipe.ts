/**
 * A local EventBridge Pipe from an SQS queue: each message is passed to the enrichment function
 * (as the batch of SQS messages a pipe sends), and each result to the target. A failed attempt
 * leaves the message in the queue for another receipt after the visibility timeout; after the
 * queue's `maxReceiveCount` receipts it moves to the queue's dead-letter queue, as SQS does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { LOCAL_REGION, type PipeTopology } from '../topology.ts';

export interface PipeDeadLetter {
  pipeLogicalId: string;
  errorCode: string;
  errorMessage: string;
  receiveCount: number;
  body: string;
}

export interface LocalPipeOptions {
  pipe: PipeTopology;
  sourceQueueArn: string;
  /** Receipts before a message moves to the dead-letter queue (the queue's redrive policy). */
  maxReceiveCount: number;
  /** Runs the enrichment function with the pipe's input; absent when the pipe has none. */
  enrich?: (messages: unknown[]) => Promise<unknown>;
  deliver: (payload: unknown) => Promise<void>;
  onDeadLetter: (letter: PipeDeadLetter) => void;
  /** Stands in for the queue's visibility timeout (30 s on AWS), so local retries take moments. */
  visibilityTimeoutMs?: number;
}

export class LocalPipe {
  private readonly options: LocalPipeOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(options: LocalPipeOptions) {
    this.options = options;
  }

  /** SendMessage to the source queue. */
  send(body: string): void {
    const processing = this.process(body);
    this.inFlight.add(processing);
    void processing.finally(() => this.inFlight.delete(processing));
  }

  /** Messages sent and not yet delivered or dead-lettered. */
  inFlightCount(): number {
    return this.inFlight.size;
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }

  private async process(body: string): Promise<void> {
    const messageId = randomUUID();
    let lastError: Error | undefined;
    let receiveCount = 0;
    while (receiveCount < this.options.maxReceiveCount && !this.stopped) {
      if (receiveCount > 0) await new Promise((resolve) => setTimeout(resolve, this.options.visibilityTimeoutMs ?? 200));
      receiveCount += 1;
      try {
        const message = {
          messageId,
          receiptHandle: randomUUID(),
          body,
          attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: this.options.sourceQueueArn,
          awsRegion: LOCAL_REGION,
        };
        const enriched = this.options.enrich ? await this.options.enrich([message]) : [message];
        for (const payload of Array.isArray(enriched) ? enriched : [enriched]) await this.options.deliver(payload);
        return;
      } catch (error) {
        lastError = error as Error;
      }
    }
    this.options.onDeadLetter({
      pipeLogicalId: this.options.pipe.logicalId,
      errorCode: lastError?.name ?? 'Stopped',
      errorMessage: lastError?.message ?? 'The local cloud stopped before the message was delivered',
      receiveCount,
      body,
    });
  }
}
