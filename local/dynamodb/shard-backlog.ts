/**
 * The records read from one shard and not yet done with, in shard order, and where the shard's
 * checkpoint stands while they are pending: the sequence number just before the first of them.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { writtenBy } from './stream-records.ts';

interface PendingRecord {
  record: DynamoDBRecord;
  // Sequence number of the shard record just before this one: the checkpoint while this one is not done.
  checkpointBefore: string | undefined;
  // An upper bound of the write time, so the record age never overshoots and dead-letters early.
  writtenBy: number;
}

export class ShardBacklog {
  readonly #pending: PendingRecord[] = [];
  // Sizes of the pieces a failed batch was bisected into, front first: the next batches are exactly these.
  readonly #windows: number[] = [];
  /** Sequence number of the last record read from the shard, whether the filters kept it or not. */
  fetchedThrough: string | undefined;

  constructor(fetchedThrough: string | undefined) {
    this.fetchedThrough = fetchedThrough;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Adds the records of a page the filters keep; the others are passed over, and checkpointed past once nothing is pending before them. */
  addPage(records: DynamoDBRecord[], keeps: (record: DynamoDBRecord) => boolean, readAt: number): void {
    let previous = this.fetchedThrough;
    for (const record of records) {
      if (keeps(record)) this.#pending.push({ record, checkpointBefore: previous, writtenBy: writtenBy(record, readAt) });
      previous = record.dynamodb!.SequenceNumber!;
    }
    this.fetchedThrough = previous;
  }

  first(count: number): DynamoDBRecord[] {
    return this.#pending.slice(0, count).map((pending) => pending.record);
  }

  /** The next batch: the next bisected piece when there is one, else as many records as a batch holds. */
  nextBatchSize(batchSize: number): number {
    return Math.min(this.#windows[0] ?? batchSize, batchSize, this.#pending.length);
  }

  /** How many of the first records were written before `maxAgeSeconds` ago; none when the age is unlimited (-1). */
  expiredCount(maxAgeSeconds: number, now = Date.now()): number {
    if (maxAgeSeconds < 0) return 0;
    const cutoff = now - maxAgeSeconds * 1000;
    let count = 0;
    while (count < this.#pending.length && this.#pending[count]!.writtenBy < cutoff) count++;
    return count;
  }

  /** Splits a failed batch of `size` in two halves, which become the next two batches. */
  bisect(size: number): void {
    const first = Math.ceil(size / 2);
    if (this.#windows.length > 0) this.#windows.shift();
    this.#windows.unshift(first, size - first);
  }

  /** Makes the next batch exactly the `size` records that failed, unless a bisection already decides it. */
  retryOnly(size: number): void {
    if (this.#windows.length === 0) this.#windows.unshift(size);
  }

  /** Drops the first `count` records as done; returns the checkpoint this leaves. */
  remove(count: number): string | undefined {
    let left = count;
    while (left > 0 && this.#windows.length > 0) {
      const taken = Math.min(left, this.#windows[0]!);
      this.#windows[0]! -= taken;
      left -= taken;
      if (this.#windows[0] === 0) this.#windows.shift();
    }
    this.#pending.splice(0, count);
    return this.#pending.length > 0 ? this.#pending[0]!.checkpointBefore : this.fetchedThrough;
  }
}
