/**
 * Puts order events on the bus in stream order, 10 per PutEvents call. Entries
 * that fail are retried with backoff; if some still fail, publishing stops there
 * and the caller learns the first unpublished position, so nothing is dropped and
 * per-order order is kept (the stream redelivers from that record).
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { OrderEvent } from '../domain/events.ts';
import { AGAIN, retrying, sleep } from '../retry-policy.ts';

const ENTRIES_PER_CALL = 10;
/** PutEvents rejects requests over 256 KiB; stay below it with room for the envelope. */
const MAX_REQUEST_BYTES = 240 * 1024;

export interface PublisherOptions {
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

export class OrderEventPublisher {
  private readonly client: EventBridgeClient;
  private readonly options: Required<PublisherOptions>;

  constructor(client: EventBridgeClient, options: PublisherOptions) {
    this.client = client;
    this.options = {
      maxAttempts: 4,
      baseDelayMs: 50,
      sleep,
      ...options,
    };
  }

  toEntry(event: OrderEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.options.busName,
      Source: this.options.source,
      DetailType: event.type,
      Time: new Date(event.occurredAt),
      Resources: [],
      Detail: JSON.stringify(event),
    };
  }

  async publish(events: readonly OrderEvent[]): Promise<PublishResult> {
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
