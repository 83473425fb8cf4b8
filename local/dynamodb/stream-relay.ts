/**
 * The local equivalent of a Lambda event source mapping on a DynamoDB stream: reads the table's
 * stream in DynamoDB Local through the real Streams API and delivers batches to a function with
 * Lambda's semantics (ordering per shard, shard lineage, filtering, partial batch responses,
 * bisection, retries, record age and an on-failure destination).
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  type DynamoDBStreamsClient,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { compileEventPattern, type CompiledEventPattern } from '../../packages/event-pattern/index.ts';

/** The stream-related settings of an `AWS::Lambda::EventSourceMapping`. */
export interface EventSourceMappingSettings {
  /** BatchSize: the most records one invocation receives. */
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** FilterCriteria.Filters[].Pattern (JSON text); a record is delivered if any matches, all are when there is none. */
  filterPatterns: string[];
  /** FunctionResponseTypes includes ReportBatchItemFailures. */
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** -1 is infinite in Lambda; locally it is capped at {@link INFINITE_RETRY_CAP}. */
  maximumRetryAttempts: number;
  /** -1 is infinite. */
  maximumRecordAgeInSeconds: number;
}

/** What the OnFailure destination receives for records the mapping gave up on. */
export interface DeadLetter {
  /** `RetryAttemptsExhausted` or `RecordAgeExceeded`, Lambda's conditions for discarding. */
  reason: string;
  records: DynamoDBRecord[];
  /** The function error of the last attempt, when there was one. */
  error?: string;
}

export interface StreamRelayOptions {
  /** Pointed at DynamoDB Local. */
  client: DynamoDBStreamsClient;
  /** For DescribeTable (the table's LatestStreamArn). */
  dynamodb: DynamoDBClient;
  tableName: string;
  settings: EventSourceMappingSettings;
  /** The function; a rejection is a function error. */
  invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** The OnFailure destination; a rejection is retried, the records are not dropped. */
  onDeadLetter: (failure: DeadLetter) => void | Promise<void>;
  /** JSON file keeping each shard's last processed sequence number, so a restart resumes instead of replaying or skipping. */
  checkpointFile?: string;
  /** Delay between polls of a shard that had nothing new. @default 100 */
  pollIntervalMs?: number;
  log?: (message: string) => void;
}

/** Retries allowed when `maximumRetryAttempts` is -1: Lambda retries until the record expires (a day), which would stall a local shard. */
export const INFINITE_RETRY_CAP = 100;

const DEFAULT_POLL_INTERVAL_MS = 100;
const DISCOVERY_INTERVAL_MS = 1_000;
const GET_RECORDS_LIMIT = 1_000;
const RETRY_BASE_DELAY_MS = 50;
const RETRY_MAX_DELAY_MS = 1_000;
// DynamoDB Local rounds ApproximateCreationDateTime down to the minute, so a record may be up to this much younger than it claims.
const CREATION_TIME_GRANULARITY_MS = 60_000;

interface ShardCheckpoint {
  sequenceNumber?: string;
  finished?: boolean;
}

interface CheckpointFileContent {
  streamArn: string;
  shards: Record<string, ShardCheckpoint>;
}

interface Pending {
  record: DynamoDBRecord;
  // Sequence number of the shard record just before this one: the checkpoint while this one is not done.
  checkpointBefore: string | undefined;
  // An upper bound of the write time, so the record age never overshoots and dead-letters early.
  writtenBy: number;
}

interface ShardState {
  id: string;
  parentId: string | undefined;
  checkpoint: ShardCheckpoint;
  running: boolean;
  // Tick at which a poll that found the shard caught up started: drain() compares it with its own start.
  caughtUpTick: number;
}

type Outcome =
  | { kind: 'success' }
  | { kind: 'partial'; failedIndex: number }
  | { kind: 'failure'; error: string; functionError: boolean };

/**
 * Polls a DynamoDB stream and invokes a function with batches of its records, as Lambda's
 * event source mapping does. One batch at a time per shard (ParallelizationFactor 1).
 */
export class DynamoDbStreamRelay {
  readonly #options: StreamRelayOptions;
  readonly #settings: EventSourceMappingSettings;
  readonly #filters: CompiledEventPattern[];
  readonly #pollIntervalMs: number;
  readonly #shards = new Map<string, ShardState>();
  readonly #workers = new Set<Promise<void>>();
  readonly #sleepers = new Set<() => void>();
  #streamArn = '';
  #region = '';
  #started = false;
  #stopping = false;
  #coordinator: Promise<void> | undefined;
  #wakeCoordinator: (() => void) | undefined;
  #coordinatorWakeRequested = false;
  #tick = 0;
  #discoveredTick = 0;
  #lastError: unknown;
  #checkpointWrite: Promise<void> = Promise.resolve();

  constructor(options: StreamRelayOptions) {
    const { settings } = options;
    if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${settings.batchSize}`);
    }
    this.#options = options;
    this.#settings = settings;
    // Compiling here rejects a pattern Lambda would reject at CreateEventSourceMapping.
    this.#filters = settings.filterPatterns.map((pattern) => compileEventPattern(pattern));
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Finds the table's stream and positions every shard; records written after this resolves are delivered. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('The stream relay was already started');
    this.#started = true;
    const table = await this.#options.dynamodb.send(new DescribeTableCommand({ TableName: this.#options.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn || !table.Table?.StreamSpecification?.StreamEnabled) {
      throw new Error(`Table ${this.#options.tableName} has no enabled stream`);
    }
    this.#streamArn = streamArn;
    this.#region = await this.#configuredRegion();

    const saved = await this.#loadCheckpoints();
    const resuming = saved?.streamArn === streamArn;
    if (saved && !resuming) this.#log(`checkpoint file is for ${saved.streamArn}, starting ${streamArn} afresh`);
    const shards = await this.#describeShards();
    for (const shard of shards) {
      const checkpoint = resuming ? saved.shards[shard.ShardId!] : undefined;
      this.#shards.set(shard.ShardId!, this.#newShardState(shard, checkpoint ?? {}));
    }
    // Shards that appear later are always read from their start, so only the ones existing now need a LATEST position.
    if (!resuming && this.#settings.startingPosition === 'LATEST') {
      for (const state of this.#shards.values()) await this.#positionAtTip(state);
    }
    await this.#persistCheckpoints();
    this.#coordinator = this.#coordinate(shards);
  }

  /** Stops polling; an invocation under way completes (and is checkpointed) first. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const wake of [...this.#sleepers]) wake();
    await this.#coordinator;
    while (this.#workers.size > 0) await Promise.all([...this.#workers]);
    await this.#checkpointWrite;
  }

  /** Resolves when every record written so far has been delivered or dead-lettered. */
  async drain(timeoutMs = 30_000): Promise<void> {
    if (!this.#started || this.#stopping) throw new Error('The stream relay is not running');
    const since = ++this.#tick;
    this.#requestDiscovery();
    const deadline = Date.now() + timeoutMs;
    while (!this.#drainedSince(since)) {
      if (this.#stopping) throw new Error('The stream relay stopped before it drained');
      if (Date.now() > deadline) {
        const lagging = [...this.#shards.values()].filter((s) => !s.checkpoint.finished && s.caughtUpTick <= since);
        throw new Error(
          `The stream relay did not drain within ${timeoutMs} ms; shards behind: ${lagging.map((s) => s.id).join(', ') || 'none'}` +
            (this.#lastError ? `; last error: ${describeError(this.#lastError)}` : ''),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #drainedSince(tick: number): boolean {
    if (this.#discoveredTick <= tick) return false;
    for (const shard of this.#shards.values()) {
      if (!shard.checkpoint.finished && shard.caughtUpTick <= tick) return false;
    }
    return true;
  }

  // --- shard discovery -------------------------------------------------------------------------

  async #coordinate(initial: Shard[]): Promise<void> {
    let shards: Shard[] | undefined = initial;
    while (!this.#stopping) {
      try {
        const tick = ++this.#tick;
        shards ??= await this.#describeShards();
        this.#reconcile(shards);
        this.#discoveredTick = tick;
      } catch (error) {
        this.#noteError('DescribeStream failed', error);
      }
      shards = undefined;
      if (this.#coordinatorWakeRequested) {
        this.#coordinatorWakeRequested = false;
        continue;
      }
      await this.#sleep(DISCOVERY_INTERVAL_MS, (wake) => (this.#wakeCoordinator = wake));
      this.#wakeCoordinator = undefined;
      this.#coordinatorWakeRequested = false;
    }
  }

  #requestDiscovery(): void {
    this.#coordinatorWakeRequested = true;
    this.#wakeCoordinator?.();
  }

  #reconcile(shards: Shard[]): void {
    const listed = new Set(shards.map((shard) => shard.ShardId!));
    for (const shard of shards) {
      if (!this.#shards.has(shard.ShardId!)) this.#shards.set(shard.ShardId!, this.#newShardState(shard, {}));
    }
    for (const [id, state] of this.#shards) {
      // Shards past the stream's retention drop out of DescribeStream; forget them once done.
      if (!listed.has(id) && state.checkpoint.finished) this.#shards.delete(id);
    }
    for (const state of this.#shards.values()) {
      if (state.running || state.checkpoint.finished || this.#stopping) continue;
      const parent = state.parentId ? this.#shards.get(state.parentId) : undefined;
      // Records of a key move from parent to child: reading the child first would reorder them.
      if (parent && !parent.checkpoint.finished) continue;
      this.#launch(state);
    }
  }

  #launch(state: ShardState): void {
    state.running = true;
    const worker = this.#runShard(state)
      .catch((error) => this.#noteError(`shard ${state.id} stopped`, error))
      .finally(() => {
        state.running = false;
        this.#workers.delete(worker);
        // A finished parent frees its children now rather than at the next periodic discovery.
        this.#requestDiscovery();
      });
    this.#workers.add(worker);
  }

  async #describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.#options.client.send(
        new DescribeStreamCommand({ StreamArn: this.#streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  #newShardState(shard: Shard, checkpoint: ShardCheckpoint): ShardState {
    return { id: shard.ShardId!, parentId: shard.ParentShardId, checkpoint: { ...checkpoint }, running: false, caughtUpTick: 0 };
  }

  // LATEST as a sequence number rather than a LATEST iterator: reads past what the shard holds now, so
  // the position can be checkpointed and a restart neither replays those records nor skips new ones.
  async #positionAtTip(state: ShardState): Promise<void> {
    let iterator = await this.#iterator(state.id, state.checkpoint.sequenceNumber);
    while (iterator) {
      const page = await this.#options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }));
      const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (last) state.checkpoint.sequenceNumber = last;
      iterator = page.NextShardIterator;
      if (!page.Records?.length) break;
    }
    if (!iterator) state.checkpoint.finished = true;
  }

  async #iterator(shardId: string, afterSequenceNumber: string | undefined): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput = afterSequenceNumber
      ? { StreamArn: this.#streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: afterSequenceNumber }
      : { StreamArn: this.#streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' };
    try {
      const { ShardIterator } = await this.#options.client.send(new GetShardIteratorCommand(input));
      return ShardIterator;
    } catch (error) {
      if (!afterSequenceNumber || !isError(error, 'TrimmedDataAccessException')) throw error;
      this.#log(`shard ${shardId}: records after ${afterSequenceNumber} were trimmed; reading from the oldest one left`);
      return this.#iterator(shardId, undefined);
    }
  }

  // --- one shard -------------------------------------------------------------------------------

  async #runShard(state: ShardState): Promise<void> {
    const batchSize = this.#settings.batchSize;
    const buffer: Pending[] = [];
    let fetchedThrough = state.checkpoint.sequenceNumber;
    let iterator: string | undefined;
    let ended = false;
    // Sizes of the pieces a failed batch was bisected into, front first: the next batches are exactly these.
    const windows: number[] = [];
    let failures = 0;
    let lastError = '';

    const commit = async (count: number) => {
      buffer.splice(0, count);
      const position = buffer.length > 0 ? buffer[0]!.checkpointBefore : fetchedThrough;
      if (position && position !== state.checkpoint.sequenceNumber) {
        state.checkpoint.sequenceNumber = position;
        await this.#persistCheckpoints();
      }
    };
    const consumeWindow = (count: number) => {
      let left = count;
      while (left > 0 && windows.length > 0) {
        const taken = Math.min(left, windows[0]!);
        windows[0]! -= taken;
        left -= taken;
        if (windows[0] === 0) windows.shift();
      }
    };

    iterator = await this.#withRetry(`GetShardIterator ${state.id}`, () => this.#iterator(state.id, fetchedThrough));
    if (this.#stopping) return;
    if (!iterator) ended = true;

    while (!this.#stopping) {
      let caughtUp = false;
      const tick = ++this.#tick;
      while (!ended && buffer.length < batchSize && !this.#stopping) {
        let page: GetRecordsCommandOutput;
        try {
          page = await this.#options.client.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(GET_RECORDS_LIMIT, batchSize) }),
          );
        } catch (error) {
          if (isError(error, 'ExpiredIteratorException') || isError(error, 'TrimmedDataAccessException')) {
            this.#log(`shard ${state.id}: ${describeError(error)}; getting a new iterator`);
            iterator = await this.#withRetry(`GetShardIterator ${state.id}`, () => this.#iterator(state.id, fetchedThrough));
            if (this.#stopping) return;
            if (!iterator) ended = true;
            continue;
          }
          this.#noteError(`GetRecords on ${state.id} failed`, error);
          await this.#sleep(RETRY_MAX_DELAY_MS);
          continue;
        }
        const readAt = Date.now();
        let previous = fetchedThrough;
        for (const raw of page.Records ?? []) {
          const record = this.#toLambdaRecord(raw);
          const sequenceNumber = record.dynamodb!.SequenceNumber!;
          if (this.#passesFilters(record)) {
            buffer.push({ record, checkpointBefore: previous, writtenBy: writtenBy(record, readAt) });
          }
          previous = sequenceNumber;
        }
        fetchedThrough = previous;
        iterator = page.NextShardIterator;
        if (!iterator) ended = true;
        if (!page.Records?.length) {
          caughtUp = true;
          break;
        }
      }
      // Checkpoints past records the filters dropped.
      if (buffer.length === 0) await commit(0);

      if (buffer.length === 0) {
        if (ended) {
          state.checkpoint.finished = true;
          await this.#persistCheckpoints();
          state.caughtUpTick = tick;
          this.#log(`shard ${state.id} finished`);
          return;
        }
        if (caughtUp) state.caughtUpTick = tick;
        if (caughtUp || this.#stopping) await this.#sleep(this.#pollIntervalMs);
        continue;
      }

      // Lambda discards records older than MaximumRecordAgeInSeconds instead of sending them.
      const expired = this.#expiredPrefix(buffer);
      if (expired > 0) {
        const records = buffer.slice(0, expired).map((p) => p.record);
        if (!(await this.#deadLetter({ reason: 'RecordAgeExceeded', records }))) continue;
        consumeWindow(expired);
        failures = 0;
        await commit(expired);
        continue;
      }

      const size = Math.min(windows[0] ?? batchSize, batchSize, buffer.length);
      const batch = buffer.slice(0, size).map((p) => p.record);
      const outcome = await this.#invoke(batch);

      if (outcome.kind === 'success') {
        consumeWindow(size);
        failures = 0;
        await commit(size);
        continue;
      }
      let failedSize = size;
      if (outcome.kind === 'partial') {
        // Records before the lowest failure are done: the checkpoint moves to just before it.
        const done = outcome.failedIndex;
        if (done > 0) {
          consumeWindow(done);
          failures = 0;
          await commit(done);
        }
        failedSize = size - done;
        // With bisection on, Lambda retries only the rest of this batch rather than a fresh full one.
        if (this.#settings.bisectBatchOnFunctionError && windows.length === 0) windows.unshift(failedSize);
        lastError = 'the function reported batch item failures';
      } else if (outcome.functionError && this.#settings.bisectBatchOnFunctionError && size > 1) {
        // Splitting does not consume the retry quota.
        const first = Math.ceil(size / 2);
        if (windows.length > 0) windows.shift();
        windows.unshift(first, size - first);
        this.#log(`shard ${state.id}: function error on ${size} records, bisecting: ${outcome.error}`);
        continue;
      } else {
        lastError = outcome.error;
      }
      failures++;

      if (failures > this.#retryLimit()) {
        const records = buffer.slice(0, failedSize).map((p) => p.record);
        if (!(await this.#deadLetter({ reason: 'RetryAttemptsExhausted', records, error: lastError }))) continue;
        consumeWindow(failedSize);
        failures = 0;
        await commit(failedSize);
        continue;
      }
      this.#log(`shard ${state.id}: attempt ${failures} failed (${lastError}); retrying`);
      await this.#sleep(Math.min(RETRY_BASE_DELAY_MS * 2 ** (failures - 1), RETRY_MAX_DELAY_MS));
    }
  }

  async #invoke(batch: DynamoDBRecord[]): Promise<Outcome> {
    let response: DynamoDBBatchResponse | void;
    try {
      response = await this.#options.invoke({ Records: batch });
    } catch (error) {
      return { kind: 'failure', error: describeError(error), functionError: true };
    }
    if (!this.#settings.reportBatchItemFailures || response === null || typeof response !== 'object') return { kind: 'success' };
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'success' };
    const invalid = { kind: 'failure', error: 'invalid batchItemFailures in the function response', functionError: false } as const;
    if (!Array.isArray(failures)) return invalid;
    let lowest = Number.POSITIVE_INFINITY;
    for (const failure of failures) {
      const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = typeof identifier === 'string' && identifier !== '' ? batch.findIndex((r) => r.dynamodb?.SequenceNumber === identifier) : -1;
      // Lambda treats an empty, null or unknown itemIdentifier as a failure of the whole batch.
      if (index < 0) return invalid;
      lowest = Math.min(lowest, index);
    }
    return { kind: 'partial', failedIndex: lowest };
  }

  // False when the destination failed: the records stay in place, never dropped, and are offered again.
  async #deadLetter(failure: DeadLetter): Promise<boolean> {
    try {
      await this.#options.onDeadLetter(failure);
      this.#log(`dead-lettered ${failure.records.length} record(s): ${failure.reason}`);
      return true;
    } catch (error) {
      this.#noteError('the on-failure destination failed', error);
      await this.#sleep(RETRY_MAX_DELAY_MS);
      return false;
    }
  }

  #expiredPrefix(buffer: Pending[]): number {
    const maxAge = this.#settings.maximumRecordAgeInSeconds;
    if (maxAge < 0) return 0;
    const cutoff = Date.now() - maxAge * 1000;
    let count = 0;
    while (count < buffer.length && buffer[count]!.writtenBy < cutoff) count++;
    return count;
  }

  #retryLimit(): number {
    const max = this.#settings.maximumRetryAttempts;
    return max < 0 ? INFINITE_RETRY_CAP : max;
  }

  #passesFilters(record: DynamoDBRecord): boolean {
    return this.#filters.length === 0 || this.#filters.some((filter) => filter.matchesEvent(record));
  }

  #toLambdaRecord(raw: StreamRecord): DynamoDBRecord {
    const stream = raw.dynamodb ?? {};
    const created = stream.ApproximateCreationDateTime;
    const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {
      ...(created !== undefined ? { ApproximateCreationDateTime: toEpochSeconds(created) } : {}),
      ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber!,
      ...(stream.SizeBytes !== undefined ? { SizeBytes: stream.SizeBytes } : {}),
      ...(stream.StreamViewType ? { StreamViewType: stream.StreamViewType } : {}),
    };
    return {
      eventID: raw.eventID!,
      eventName: raw.eventName!,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      // DynamoDB Local reports the region as "ddblocal"; functions expect the region they run in.
      awsRegion: raw.awsRegion && raw.awsRegion !== 'ddblocal' ? raw.awsRegion : this.#region,
      dynamodb,
      eventSourceARN: this.#streamArn,
      ...(raw.userIdentity ? { userIdentity: { type: raw.userIdentity.Type, principalId: raw.userIdentity.PrincipalId } } : {}),
    };
  }

  // --- plumbing --------------------------------------------------------------------------------

  async #configuredRegion(): Promise<string> {
    const region = (this.#options.client as { config?: { region?: unknown } }).config?.region;
    const value = typeof region === 'function' ? await region() : region;
    return typeof value === 'string' && value ? value : (process.env.AWS_REGION ?? 'us-east-1');
  }

  async #loadCheckpoints(): Promise<CheckpointFileContent | undefined> {
    const file = this.#options.checkpointFile;
    if (!file) return undefined;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (isError(error, 'ENOENT')) return undefined;
      throw error;
    }
    const content = JSON.parse(text) as CheckpointFileContent;
    if (typeof content?.streamArn !== 'string' || typeof content.shards !== 'object') {
      throw new Error(`${file} is not a stream relay checkpoint file`);
    }
    return content;
  }

  #persistCheckpoints(): Promise<void> {
    const file = this.#options.checkpointFile;
    if (!file) return Promise.resolve();
    const content: CheckpointFileContent = {
      streamArn: this.#streamArn,
      shards: Object.fromEntries([...this.#shards].map(([id, state]) => [id, { ...state.checkpoint }])),
    };
    const text = `${JSON.stringify(content, null, 2)}\n`;
    // Serialized, and written aside then renamed, so a crash never leaves a torn file.
    this.#checkpointWrite = this.#checkpointWrite
      .then(async () => {
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, text);
        await rename(temporary, file);
      })
      .catch((error) => this.#noteError(`writing ${file} failed`, error));
    return this.#checkpointWrite;
  }

  async #withRetry<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    while (!this.#stopping) {
      try {
        return await action();
      } catch (error) {
        this.#noteError(`${what} failed`, error);
        await this.#sleep(RETRY_MAX_DELAY_MS);
      }
    }
    return undefined;
  }

  // stop() cancels these timers, so nothing outlives the relay.
  #sleep(ms: number, exposeWake?: (wake: () => void) => void): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
      exposeWake?.(wake);
    });
  }

  #noteError(context: string, error: unknown): void {
    this.#lastError = error;
    this.#log(`${context}: ${describeError(error)}`);
  }

  #log(message: string): void {
    this.#options.log?.(`[stream-relay ${this.#options.tableName}] ${message}`);
  }
}

function toEpochSeconds(value: Date | number | string): number {
  if (value instanceof Date) return value.getTime() / 1000;
  return Number(value);
}

function writtenBy(record: DynamoDBRecord, readAt: number): number {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (created === undefined) return readAt;
  return Math.min(created * 1000 + CREATION_TIME_GRANULARITY_MS, readAt);
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

// The SDK decodes binary values to bytes; Lambda's event carries them base64-encoded, as on the wire.
function toLambdaValue(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  return value as unknown as AttributeValue;
}

function isError(error: unknown, name: string): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === name || e?.code === name;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
