/**
 * The transactional outbox's relay: reads the orders table's stream and puts one
 * event per order transition on the bus. A write that did not happen never
 * produces an event, and an event that could not be put is retried by the stream
 * (partial batch failure) and, after that, lands in the dead-letter queue.
 *
 * Every event is checked against its published schema on the way (`orderEventOf`).
 * One that breaks it is held back like an event EventBridge refused: an event that
 * reached partners cannot be recalled (and may carry personal data it must not),
 * whereas a held-back one is retried, dead-lettered with an alarm, and redriven
 * once the code is fixed; consumers see the gap in `sequence` meanwhile.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventContractBroken, orderEventOf, type PublishedEvent } from '../domain/events.ts';
import { returnEventOf } from '../domain/return-events.ts';
import { logger, metrics } from '../observability.ts';
import { requiredEnv } from '../environment.ts';
import { AGAIN, retrying, sleep } from '../retry-policy.ts';
import { newOrderVersionOf, newReturnVersionOf, orderIdOfRecord } from '../store/order-stream.ts';
import { PUBLISHER_METRICS, recordOrderMetrics, type PublishedTransition } from './metrics.ts';
import { streamBatchHandler } from './stream-batch-handler.ts';

const ENTRIES_PER_CALL = 10;
/** PutEvents rejects requests over 256 KiB; stay below it with room for the envelope. */
const MAX_REQUEST_BYTES = 240 * 1024;

export interface OrderEventBusOptions {
  busName: string;
  source: string;
  /** Attempts per chunk, including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishResult {
  published: number;
  /** Index (into the events given) of the first event not published, if any. */
  firstFailedIndex?: number;
  lastError?: string;
}

/**
 * The bus, as the relay uses it: puts order events on it in stream order, 10 per PutEvents call.
 * Entries that fail are retried with backoff; if some still fail, publishing stops there and the
 * caller learns the first unpublished position, so nothing is dropped and per-order order is kept
 * (the stream redelivers from that record).
 */
export class OrderEventBus {
  private readonly client: EventBridgeClient;
  private readonly options: Required<OrderEventBusOptions>;

  constructor(client: EventBridgeClient, options: OrderEventBusOptions) {
    this.client = client;
    this.options = {
      maxAttempts: 4,
      baseDelayMs: 50,
      sleep,
      ...options,
    };
  }

  toEntry(event: PublishedEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.options.busName,
      Source: this.options.source,
      DetailType: event.type,
      Time: new Date(event.occurredAt),
      Resources: [],
      Detail: JSON.stringify(event),
    };
  }

  async publish(events: readonly PublishedEvent[]): Promise<PublishResult> {
    let published = 0;
    for (const chunk of chunks(events.map((event) => this.toEntry(event)))) {
      const failure = await this.putChunk(chunk);
      if (failure) {
        return { published: published + failure.index, firstFailedIndex: published + failure.index, lastError: failure.error };
      }
      published += chunk.length;
    }
    return { published };
  }

  /** Retries the failed entries of one chunk; returns the first index still failing. */
  private async putChunk(chunk: PutEventsRequestEntry[]): Promise<{ index: number; error: string } | undefined> {
    let pending = chunk.map((entry, index) => ({ entry, index }));
    let lastError = '';
    const stillFailing = new Error('Entries still failing');
    try {
      await retrying(
        async () => {
          try {
            const { Entries = [] } = await this.client.send(new PutEventsCommand({ Entries: pending.map(({ entry }) => entry) }));
            const failedAt = pending.flatMap((_, i) => (Entries[i]?.ErrorCode || !Entries[i]?.EventId ? [i] : []));
            lastError = failedAt.map((i) => Entries[i]?.ErrorCode).find(Boolean) ?? lastError;
            pending = failedAt.map((i) => pending[i]!);
          } catch (error) {
            lastError = (error as Error).name;
          }
          return pending.length > 0 ? AGAIN : undefined;
        },
        {
          policy: { attempts: this.options.maxAttempts, baseMs: this.options.baseDelayMs, capMs: 20 * this.options.baseDelayMs },
          sleep: this.options.sleep,
          exhausted: () => stillFailing,
        },
      );
      return undefined;
    } catch (error) {
      if (error !== stillFailing) throw error;
      return { index: pending[0]!.index, error: lastError };
    }
  }
}

function* chunks(entries: PutEventsRequestEntry[]): Generator<PutEventsRequestEntry[]> {
  let chunk: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.Detail ?? '') + 512;
    if (chunk.length === ENTRIES_PER_CALL || (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** The transition a stream record stands for: only order and return items whose version moved are transitions. */
export function transitionOf(record: DynamoDBRecord): PublishedTransition | undefined {
  const order = newOrderVersionOf(record);
  if (order) return { event: orderEventOf(order), placedAt: order.placedAt };
  const ret = newReturnVersionOf(record);
  return ret && { event: returnEventOf(ret), placedAt: ret.requestedAt };
}

let bus: OrderEventBus | undefined;

function eventBus(): OrderEventBus {
  bus ??= new OrderEventBus(new EventBridgeClient({}), {
    busName: requiredEnv('EVENT_BUS_NAME'),
    source: requiredEnv('EVENT_SOURCE'),
  });
  return bus;
}

export async function publishStreamBatch(
  event: DynamoDBStreamEvent,
  target: Pick<OrderEventBus, 'publish'> = eventBus(),
): Promise<DynamoDBBatchResponse> {
  const pending: Array<{ record: DynamoDBRecord; transition: PublishedTransition }> = [];
  // From the first event that breaks its contract on, records wait for the stream's retry, in order.
  let heldBack: DynamoDBRecord[] = [];
  for (const [index, record] of event.Records.entries()) {
    try {
      const transition = transitionOf(record);
      if (transition) pending.push({ record, transition });
    } catch (error) {
      if (!(error instanceof EventContractBroken)) throw error;
      heldBack = event.Records.slice(index);
      metrics.addMetric(PUBLISHER_METRICS.breakingContract, 'Count', 1);
      logger.error('An order event breaks its published schema; holding it back', {
        orderId: orderIdOfRecord(record),
        issues: error.issues,
      });
      break;
    }
  }
  const result = await target.publish(pending.map(({ transition }) => transition.event));
  metrics.addMetric(PUBLISHER_METRICS.published, 'Count', result.published);
  const accepted = result.firstFailedIndex === undefined ? pending : pending.slice(0, result.firstFailedIndex);
  recordOrderMetrics(
    metrics,
    accepted.map(({ transition }) => transition),
  );
  const unpublished = pending.slice(accepted.length);
  if (unpublished.length > 0) {
    metrics.addMetric(PUBLISHER_METRICS.failed, 'Count', unpublished.length);
    logger.warn('Some order events could not be published; the stream will redeliver them', {
      failed: unpublished.length,
      firstEventId: unpublished[0]?.transition.event.eventId,
      error: result.lastError,
    });
  }
  // Lambda resumes from the lowest failed sequence number, so everything after it is redelivered in order.
  return {
    batchItemFailures: [...unpublished.map(({ record }) => record), ...heldBack].map((record) => ({
      itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
    })),
  };
}

export const handler = streamBatchHandler((event) => publishStreamBatch(event));
