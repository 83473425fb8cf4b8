/**
 * The local equivalent of a Lambda event source mapping on a DynamoDB stream: reads the table's
 * stream in DynamoDB Local through the real Streams API and delivers batches to a function with
 * Lambda's semantics (ordering per shard, shard lineage, filtering, partial batch responses,
 * bisection, retries, record age and an on-failure destination).
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { compileEventPattern, type CompiledEventPattern } from '../../packages/event-pattern/index.ts';
import { hopClock, type BatchTiming } from '../hop-recorder.ts';
import { invokeBatch } from './batch-response.ts';
import { ShardBacklog } from './shard-backlog.ts';
import { CheckpointFile, type ShardCheckpoint } from './stream-checkpoints.ts';
import { describeError, isError } from './stream-errors.ts';
import { toLambdaRecord } from './stream-records.ts';
import { Sleeps } from '../sleeps.ts';

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
  /**
   * MaximumBatchingWindowInSeconds: how long to gather records before invoking. 0 (the default for
   * streams) invokes with what a read returned, without reading again first.
   */
  maximumBatchingWindowInSeconds?: number;
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
  /** Period of the polls of a shard that has nothing new, from one poll's start to the next's. @default 250, Lambda's cadence */
  pollIntervalMs?: number;
  /** Told when each batch was read and handed to the function (`npm run bench:latency`); nothing waits on it. */
  onBatch?: (timing: BatchTiming) => void;
  log?: (message: string) => void;
}

/** Retries allowed when `maximumRetryAttempts` is -1: Lambda retries until the record expires (a day), which would stall a local shard. */
export const INFINITE_RETRY_CAP = 100;

/**
 * Lambda polls each shard of a DynamoDB stream at a base rate of four times a second (Lambda Developer Guide,
 * "Using AWS Lambda with Amazon DynamoDB", polling and batching streams): a record written just after a poll waits
 * up to 250 ms there, so it does here, and a local latency figure includes what AWS would add.
 */
const DEFAULT_POLL_INTERVAL_MS = 250;
const DISCOVERY_INTERVAL_MS = 1_000;
const GET_RECORDS_LIMIT = 1_000;
const RETRY_BASE_DELAY_MS = 50;
const RETRY_MAX_DELAY_MS = 1_000;

interface ShardState {
  id: string;
  parentId: string | undefined;
  checkpoint: ShardCheckpoint;
  running: boolean;
  // Tick at which a poll that found the shard caught up started: drain() compares it with its own start.
  caughtUpTick: number;
}

/** A shard being read: what is pending, where the reading stands, and the retries of the first batch. */
interface ShardRun {
  state: ShardState;
  backlog: ShardBacklog;
  iterator: string | undefined;
  ended: boolean;
  failures: number;
  lastError: string;
  /** When the last GetRecords call was sent: the next poll is due a poll interval after it. */
  lastReadAt: number | undefined;
  /** When the oldest pending records were read (the batching window runs from there; `onBatch`). */
  pendingSince: { requestedAt: number; previousRequestedAt?: number; readAt: number } | undefined;
}

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
  readonly #sleeps = new Sleeps();
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
  readonly #checkpoints: CheckpointFile | undefined;

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
    this.#checkpoints = options.checkpointFile ? new CheckpointFile(options.checkpointFile, (context, error) => this.#noteError(context, error)) : undefined;
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

    const saved = await this.#checkpoints?.load();
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
    this.#sleeps.wakeAll();
    await this.#coordinator;
    while (this.#workers.size > 0) await Promise.all([...this.#workers]);
    await this.#checkpoints?.flushed();
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
      await this.#sleeps.sleep(DISCOVERY_INTERVAL_MS, (wake) => (this.#wakeCoordinator = wake));
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
    const run: ShardRun = {
      state,
      backlog: new ShardBacklog(state.checkpoint.sequenceNumber),
      iterator: undefined,
      ended: false,
      failures: 0,
      lastError: '',
      pendingSince: undefined,
      lastReadAt: undefined,
    };
    run.iterator = await this.#withRetry(`GetShardIterator ${state.id}`, () => this.#iterator(state.id, run.backlog.fetchedThrough));
    if (this.#stopping) return;
    if (!run.iterator) run.ended = true;

    while (!this.#stopping) {
      const tick = ++this.#tick;
      const read = await this.#fill(run);
      if (read === 'stopped') return;
      if (run.backlog.size > 0) {
        await this.#deliverNext(run);
        continue;
      }
      // Checkpoints past records the filters dropped.
      await this.#commit(run, 0);
      if (run.ended) {
        state.checkpoint.finished = true;
        await this.#persistCheckpoints();
        state.caughtUpTick = tick;
        this.#log(`shard ${state.id} finished`);
        return;
      }
      if (read === 'caught-up') state.caughtUpTick = tick;
      // Polls start a poll interval apart (Lambda polls four times a second), however long GetRecords took.
      if (read === 'caught-up' || this.#stopping) await this.#sleeps.sleep(this.#untilNextPoll(run));
    }
  }

  /** Reads pages until a batch is pending, the shard has nothing more for now, or it ended. */
  async #fill(run: ShardRun): Promise<'filled' | 'caught-up' | 'stopped'> {
    const { state, backlog } = run;
    const batchSize = this.#settings.batchSize;
    while (!run.ended && backlog.size < batchSize && !this.#stopping) {
      let page: GetRecordsCommandOutput;
      const requestedAt = hopClock();
      const previousRequestedAt = run.lastReadAt;
      run.lastReadAt = requestedAt;
      try {
        page = await this.#options.client.send(new GetRecordsCommand({ ShardIterator: run.iterator, Limit: Math.min(GET_RECORDS_LIMIT, batchSize) }));
      } catch (error) {
        if (isError(error, 'ExpiredIteratorException') || isError(error, 'TrimmedDataAccessException')) {
          this.#log(`shard ${state.id}: ${describeError(error)}; getting a new iterator`);
          run.iterator = await this.#withRetry(`GetShardIterator ${state.id}`, () => this.#iterator(state.id, backlog.fetchedThrough));
          if (this.#stopping) return 'stopped';
          if (!run.iterator) run.ended = true;
          continue;
        }
        this.#noteError(`GetRecords on ${state.id} failed`, error);
        await this.#sleeps.sleep(RETRY_MAX_DELAY_MS);
        continue;
      }
      const source = { streamArn: this.#streamArn, region: this.#region };
      const pendingBefore = backlog.size;
      backlog.addPage((page.Records ?? []).map((raw) => toLambdaRecord(raw, source)), (record) => this.#passesFilters(record), Date.now());
      if (pendingBefore === 0 && backlog.size > 0) {
        run.pendingSince = { requestedAt, ...(previousRequestedAt !== undefined ? { previousRequestedAt } : {}), readAt: hopClock() };
      }
      run.iterator = page.NextShardIterator;
      if (!run.iterator) run.ended = true;
      const windowLeft = this.#batchingWindowLeft(run);
      if (!page.Records?.length) {
        if (backlog.size === 0 || windowLeft <= 0) return 'caught-up';
        await this.#sleeps.sleep(Math.min(windowLeft, this.#untilNextPoll(run)));
        continue;
      }
      // Lambda invokes as soon as a read brings records, unless a batching window asks it to gather more.
      if (backlog.size > 0 && windowLeft <= 0) return 'filled';
    }
    return 'filled';
  }

  /** Milliseconds until the next poll is due: a poll interval after the last one was sent. */
  #untilNextPoll(run: ShardRun): number {
    return run.lastReadAt === undefined ? this.#pollIntervalMs : Math.max(0, run.lastReadAt + this.#pollIntervalMs - hopClock());
  }

  /** Milliseconds of the batching window left for the pending records; 0 or less when they should go now. */
  #batchingWindowLeft(run: ShardRun): number {
    const windowMs = (this.#settings.maximumBatchingWindowInSeconds ?? 0) * 1000;
    return run.pendingSince ? windowMs - (hopClock() - run.pendingSince.readAt) : windowMs;
  }

  /** Offers the first pending records once: to the function, or to the on-failure destination once they are too old or out of retries. */
  async #deliverNext(run: ShardRun): Promise<void> {
    const { state, backlog } = run;
    // Lambda discards records older than MaximumRecordAgeInSeconds instead of sending them.
    const expired = backlog.expiredCount(this.#settings.maximumRecordAgeInSeconds);
    if (expired > 0) {
      if (await this.#deadLetter({ reason: 'RecordAgeExceeded', records: backlog.first(expired) })) await this.#done(run, expired);
      return;
    }

    const size = backlog.nextBatchSize(this.#settings.batchSize);
    const invokedAt = this.#options.onBatch ? hopClock() : 0;
    const outcome = await invokeBatch(this.#options.invoke, backlog.first(size), this.#settings.reportBatchItemFailures);
    if (this.#options.onBatch && run.pendingSince) this.#options.onBatch({ ...run.pendingSince, invokedAt, doneAt: hopClock(), records: size });
    if (outcome.kind === 'success') return this.#done(run, size);

    let failedSize = size;
    if (outcome.kind === 'partial') {
      // Records before the lowest failure are done: the checkpoint moves to just before it.
      const done = outcome.failedIndex;
      if (done > 0) await this.#done(run, done);
      failedSize = size - done;
      // With bisection on, Lambda retries only the rest of this batch rather than a fresh full one.
      if (this.#settings.bisectBatchOnFunctionError) backlog.retryOnly(failedSize);
      run.lastError = 'the function reported batch item failures';
    } else if (outcome.functionError && this.#settings.bisectBatchOnFunctionError && size > 1) {
      // Splitting does not consume the retry quota.
      backlog.bisect(size);
      this.#log(`shard ${state.id}: function error on ${size} records, bisecting: ${outcome.error}`);
      return;
    } else {
      run.lastError = outcome.error;
    }
    run.failures++;

    if (run.failures > this.#retryLimit()) {
      const records = backlog.first(failedSize);
      if (await this.#deadLetter({ reason: 'RetryAttemptsExhausted', records, error: run.lastError })) await this.#done(run, failedSize);
      return;
    }
    this.#log(`shard ${state.id}: attempt ${run.failures} failed (${run.lastError}); retrying`);
    await this.#sleeps.sleep(Math.min(RETRY_BASE_DELAY_MS * 2 ** (run.failures - 1), RETRY_MAX_DELAY_MS));
  }

  /** The first `count` pending records are delivered or dead-lettered: the next ones start with a fresh retry count. */
  async #done(run: ShardRun, count: number): Promise<void> {
    run.failures = 0;
    await this.#commit(run, count);
  }

  async #commit(run: ShardRun, count: number): Promise<void> {
    const position = run.backlog.remove(count);
    if (run.backlog.size === 0) run.pendingSince = undefined;
    if (position && position !== run.state.checkpoint.sequenceNumber) {
      run.state.checkpoint.sequenceNumber = position;
      await this.#persistCheckpoints();
    }
  }

  // False when the destination failed: the records stay in place, never dropped, and are offered again.
  async #deadLetter(failure: DeadLetter): Promise<boolean> {
    try {
      await this.#options.onDeadLetter(failure);
      this.#log(`dead-lettered ${failure.records.length} record(s): ${failure.reason}`);
      return true;
    } catch (error) {
      this.#noteError('the on-failure destination failed', error);
      await this.#sleeps.sleep(RETRY_MAX_DELAY_MS);
      return false;
    }
  }

  #retryLimit(): number {
    const max = this.#settings.maximumRetryAttempts;
    return max < 0 ? INFINITE_RETRY_CAP : max;
  }

  #passesFilters(record: DynamoDBRecord): boolean {
    return this.#filters.length === 0 || this.#filters.some((filter) => filter.matchesEvent(record));
  }

  // --- plumbing --------------------------------------------------------------------------------

  async #configuredRegion(): Promise<string> {
    const region = (this.#options.client as { config?: { region?: unknown } }).config?.region;
    const value = typeof region === 'function' ? await region() : region;
    return typeof value === 'string' && value ? value : (process.env.AWS_REGION ?? 'us-east-1');
  }

  #persistCheckpoints(): Promise<void> {
    return (
      this.#checkpoints?.save({
        streamArn: this.#streamArn,
        shards: Object.fromEntries([...this.#shards].map(([id, state]) => [id, { ...state.checkpoint }])),
      }) ?? Promise.resolve()
    );
  }

  async #withRetry<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    while (!this.#stopping) {
      try {
        return await action();
      } catch (error) {
        this.#noteError(`${what} failed`, error);
        await this.#sleeps.sleep(RETRY_MAX_DELAY_MS);
      }
    }
    return undefined;
  }

  #noteError(context: string, error: unknown): void {
    this.#lastError = error;
    this.#log(`${context}: ${describeError(error)}`);
  }

  #log(message: string): void {
    this.#options.log?.(`[stream-relay ${this.#options.tableName}] ${message}`);
  }
}
