/**
 * The local DynamoDB Streams event source mapping against DynamoDB Local's real stream, plus
 * shard lineage and record age against a scripted stream (DynamoDB Local neither splits shards
 * on demand nor lets a test age a record).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_AWS_ENV } from '../../local/dynamodb/dynamodb-local.ts';
import {
  DynamoDbStreamRelay,
  type DeadLetter,
  type EventSourceMappingSettings,
  type StreamRelayOptions,
} from '../../local/dynamodb/stream-relay.ts';
import { createOrdersTable, localDynamoDbClient } from '../support/dynamodb.ts';

const defaults: EventSourceMappingSettings = {
  batchSize: 10,
  startingPosition: 'TRIM_HORIZON',
  filterPatterns: [],
  reportBatchItemFailures: false,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: 3,
  maximumRecordAgeInSeconds: -1,
};

const ORDER_CHANGES = '{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"entityType":{"S":["Order"]}}}}';

let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let scratch: string;
const running: DynamoDbStreamRelay[] = [];

beforeAll(() => {
  dynamodb = localDynamoDbClient();
  streams = new DynamoDBStreamsClient({
    endpoint: inject('dynamodbEndpoint'),
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
  });
  scratch = mkdtempSync(join(tmpdir(), 'stream-relay-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((relay) => relay.stop()));
});

afterAll(() => {
  dynamodb.destroy();
  streams.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

type Invoke = StreamRelayOptions['invoke'];

/** A relay on a fresh orders table that records every invocation and dead letter. */
async function harness(settings: Partial<EventSourceMappingSettings> = {}, invoke?: Invoke) {
  const tableName = await createOrdersTable(dynamodb, 'relay');
  const invocations: DynamoDBRecord[][] = [];
  const deadLetters: DeadLetter[] = [];
  const relayFor = (overrides: Partial<StreamRelayOptions> = {}) => {
    const relay = new DynamoDbStreamRelay({
      client: streams,
      dynamodb,
      tableName,
      settings: { ...defaults, ...settings },
      invoke: async (event) => {
        invocations.push(event.Records);
        return invoke?.(event);
      },
      onDeadLetter: (failure) => {
        deadLetters.push(failure);
      },
      pollIntervalMs: 20,
      ...overrides,
    });
    running.push(relay);
    return relay;
  };
  return {
    tableName,
    invocations,
    deadLetters,
    relayFor,
    put: (id: string, entityType = 'Order', status = 'PLACED') =>
      dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: id }, sk: { S: 'META' }, entityType: { S: entityType }, status: { S: status } },
        }),
      ),
    update: (id: string, status: string) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: id }, sk: { S: 'META' } },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: status } },
        }),
      ),
    remove: (id: string) =>
      dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: id }, sk: { S: 'META' } } })),
    delivered: () => invocations.flat().map(label),
  };
}

async function putAll(put: (id: string) => Promise<unknown>, ids: string[]) {
  for (const id of ids) await put(id);
}

function key(record: DynamoDBRecord): string {
  return record.dynamodb!.Keys!.pk!.S!;
}

function label(record: DynamoDBRecord): string {
  return `${record.eventName} ${key(record)}`;
}

function keys(records: DynamoDBRecord[]): string[] {
  return records.map(key);
}

/** Every record in the table's stream, read directly: what the relay should have seen. */
async function streamRecords(tableName: string): Promise<StreamRecord[]> {
  const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table!.LatestStreamArn!;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: StreamRecord[] = [];
  for (const shard of StreamDescription!.Shards!) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('delivery', () => {
  it('delivers records in write order, in batches of at most batchSize, in the Lambda event shape', async () => {
    const h = await harness({ batchSize: 3 });
    await putAll(h.put, range('o', 7));
    const relay = h.relayFor();
    await relay.start();
    await h.update('o0', 'SHIPPED');
    await relay.drain();

    expect(h.delivered()).toEqual([...range('o', 7).map((id) => `INSERT ${id}`), 'MODIFY o0']);
    expect(h.invocations.every((batch) => batch.length >= 1 && batch.length <= 3)).toBe(true);
    expect(h.invocations.slice(0, 2).map((batch) => batch.length)).toEqual([3, 3]);

    const records = h.invocations.flat();
    const sequenceNumbers = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect(sequenceNumbers).toEqual([...sequenceNumbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(sequenceNumbers).size).toBe(records.length);

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: h.tableName }));
    expect(records[0]).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: Table!.LatestStreamArn,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'o0' }, sk: { S: 'META' } },
        NewImage: { pk: { S: 'o0' }, sk: { S: 'META' }, entityType: { S: 'Order' }, status: { S: 'PLACED' } },
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    const modify = records.at(-1)!;
    expect(modify.dynamodb!.OldImage!.status).toEqual({ S: 'PLACED' });
    expect(modify.dynamodb!.NewImage!.status).toEqual({ S: 'SHIPPED' });
    // Epoch seconds, as Lambda sends it, not the SDK's Date.
    expect(Math.abs(modify.dynamodb!.ApproximateCreationDateTime! - Date.now() / 1000)).toBeLessThan(3600);
    expect(h.deadLetters).toEqual([]);
  });

  it('delivers an empty map as {"M":{}}, as real Streams do, where DynamoDB Local sends an untyped {}', async () => {
    const h = await harness();
    const relay = h.relayFor();
    await relay.start();
    const empty = { M: {} };
    const nested = { L: [empty, { M: { inner: empty } }] };
    await dynamodb.send(
      new PutItemCommand({ TableName: h.tableName, Item: { pk: { S: 'empty' }, sk: { S: 'META' }, attribution: empty, nested } }),
    );
    await relay.drain();
    const image = h.invocations.flat()[0]!.dynamodb!.NewImage!;
    expect(image.attribution).toEqual(empty);
    expect(image.nested).toEqual(nested);
  });

  it('starting at LATEST delivers only records written after start()', async () => {
    const h = await harness({ startingPosition: 'LATEST' });
    await putAll(h.put, ['before-1', 'before-2']);
    const relay = h.relayFor();
    await relay.start();
    await putAll(h.put, ['after-1', 'after-2']);
    await relay.drain();
    expect(h.delivered()).toEqual(['INSERT after-1', 'INSERT after-2']);
  });
});

describe('filtering', () => {
  it('delivers only order inserts and modifications, and checkpoints past the records it drops', async () => {
    const h = await harness({ filterPatterns: [ORDER_CHANGES] });
    const checkpointFile = join(scratch, `${h.tableName}.json`);
    const relay = h.relayFor({ checkpointFile });
    await relay.start();
    await h.put('o1');
    await h.put('c1', 'Customer');
    await h.update('o1', 'SHIPPED');
    await h.remove('o1');
    await h.put('s1', 'Stock');
    await h.put('o2');
    await h.update('c1', 'ACTIVE');
    await relay.drain();

    expect(h.delivered()).toEqual(['INSERT o1', 'MODIFY o1', 'INSERT o2']);
    const written = await streamRecords(h.tableName);
    expect(written).toHaveLength(7);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8'));
    expect(Object.values(saved.shards)).toEqual([{ sequenceNumber: written.at(-1)!.dynamodb!.SequenceNumber }]);
  });

  it('delivers a record when any of several patterns matches', async () => {
    const h = await harness({ filterPatterns: [ORDER_CHANGES, '{"eventName":["REMOVE"]}'] });
    const relay = h.relayFor();
    await relay.start();
    await h.put('o1');
    await h.put('c1', 'Customer');
    await h.remove('c1');
    await relay.drain();
    expect(h.delivered()).toEqual(['INSERT o1', 'REMOVE c1']);
  });

  it('rejects a pattern Lambda would reject', () => {
    expect(
      () =>
        new DynamoDbStreamRelay({
          client: streams,
          dynamodb,
          tableName: 'unused',
          settings: { ...defaults, filterPatterns: ['{"eventName":"INSERT"}'] },
          invoke: async () => {},
          onDeadLetter: () => {},
        }),
    ).toThrow(/Event pattern is not valid/);
  });
});

describe('partial batch responses', () => {
  it('retries from the lowest failed record; records before it are not redelivered', async () => {
    let calls = 0;
    const h = await harness({ reportBatchItemFailures: true }, async (event): Promise<DynamoDBBatchResponse> => {
      calls++;
      if (calls > 1) return { batchItemFailures: [] };
      const [, second, , fourth] = event.Records;
      return { batchItemFailures: [fourth!, second!].map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
    });
    await putAll(h.put, range('o', 5));
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();

    expect(h.invocations.map(keys)).toEqual([range('o', 5), ['o1', 'o2', 'o3', 'o4']]);
    expect(h.deadLetters).toEqual([]);
  });

  it('treats an empty itemIdentifier as a failure of the whole batch', async () => {
    let calls = 0;
    const h = await harness({ reportBatchItemFailures: true }, async () =>
      ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : undefined,
    );
    await putAll(h.put, range('o', 3));
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();
    expect(h.invocations.map(keys)).toEqual([range('o', 3), range('o', 3)]);
  });

  it('ignores batchItemFailures unless ReportBatchItemFailures is on', async () => {
    const h = await harness({ reportBatchItemFailures: false }, async (event) => ({
      batchItemFailures: [{ itemIdentifier: event.Records[0]!.dynamodb!.SequenceNumber! }],
    }));
    await putAll(h.put, range('o', 2));
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();
    expect(h.invocations.map(keys)).toEqual([range('o', 2)]);
  });

  it('dead-letters the failed rest of the batch once retries run out', async () => {
    const h = await harness({ reportBatchItemFailures: true, maximumRetryAttempts: 1 }, async (event) => {
      const poison = event.Records.find((r) => key(r) === 'o1');
      return poison ? { batchItemFailures: [{ itemIdentifier: poison.dynamodb!.SequenceNumber! }] } : undefined;
    });
    await putAll(h.put, range('o', 3));
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();
    expect(h.invocations.map(keys)).toEqual([range('o', 3), ['o1', 'o2']]);
    expect(h.deadLetters.map((d) => ({ reason: d.reason, keys: keys(d.records) }))).toEqual([
      { reason: 'RetryAttemptsExhausted', keys: ['o1', 'o2'] },
    ]);
  });
});

describe('function errors', () => {
  it('retries a failing batch maximumRetryAttempts times, then dead-letters it and moves on', async () => {
    const h = await harness({ maximumRetryAttempts: 2 }, async (event: DynamoDBStreamEvent) => {
      if (event.Records.some((r) => key(r) === 'poison')) throw new Error('boom');
    });
    await putAll(h.put, ['o0', 'poison', 'o2']);
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();
    await h.put('o3');
    await relay.drain();

    const batch = ['o0', 'poison', 'o2'];
    expect(h.invocations.map(keys)).toEqual([batch, batch, batch, ['o3']]);
    expect(h.deadLetters).toHaveLength(1);
    expect(h.deadLetters[0]).toMatchObject({ reason: 'RetryAttemptsExhausted', error: expect.stringContaining('boom') });
    expect(h.deadLetters[0]!.records.map(label)).toEqual(batch.map((id) => `INSERT ${id}`));
    expect(h.deadLetters[0]!.records[0]).toEqual(h.invocations[0]![0]);
  });

  it('bisects a failing batch to isolate the bad record, without spending retries on the splits', async () => {
    const h = await harness({ batchSize: 4, bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, async (event) => {
      if (event.Records.some((r) => key(r) === 'o2')) throw new Error('bad record');
    });
    await putAll(h.put, range('o', 4));
    const relay = h.relayFor();
    await relay.start();
    await relay.drain();

    expect(h.invocations.map(keys)).toEqual([
      ['o0', 'o1', 'o2', 'o3'],
      ['o0', 'o1'],
      ['o2', 'o3'],
      ['o2'],
      ['o2'],
      ['o3'],
    ]);
    expect(h.deadLetters.map((d) => ({ reason: d.reason, keys: keys(d.records) }))).toEqual([
      { reason: 'RetryAttemptsExhausted', keys: ['o2'] },
    ]);
  });
});

describe('checkpoints and stopping', () => {
  it('resumes from the checkpoint file after a restart: no replay, no loss', async () => {
    const h = await harness();
    const checkpointFile = join(scratch, `${h.tableName}.json`);
    const first = h.relayFor({ checkpointFile });
    await first.start();
    await putAll(h.put, range('a', 3));
    await first.drain();
    await first.stop();

    await putAll(h.put, range('b', 2));
    const second = h.relayFor({ checkpointFile });
    await second.start();
    await h.put('c0');
    await second.drain();

    expect(h.delivered()).toEqual([...range('a', 3), ...range('b', 2), 'c0'].map((id) => `INSERT ${id}`));
  });

  it('keeps a LATEST start across a restart: records from before the first start stay skipped', async () => {
    const h = await harness({ startingPosition: 'LATEST' });
    const checkpointFile = join(scratch, `${h.tableName}.json`);
    await h.put('old');
    const first = h.relayFor({ checkpointFile });
    await first.start();
    await first.stop();

    await h.put('while-stopped');
    const second = h.relayFor({ checkpointFile });
    await second.start();
    await second.drain();
    expect(h.delivered()).toEqual(['INSERT while-stopped']);
  });

  it('stop() waits for the invocation under way and checkpoints it', async () => {
    let release!: () => void;
    let entered!: () => void;
    const invoked = new Promise<void>((resolve) => (entered = resolve));
    let calls = 0;
    const h = await harness({}, async () => {
      if (++calls > 1) return;
      entered();
      await new Promise<void>((resolve) => (release = resolve));
    });
    const checkpointFile = join(scratch, `${h.tableName}.json`);
    const relay = h.relayFor({ checkpointFile });
    await relay.start();
    await h.put('o0');
    await invoked;

    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;

    const restarted = h.relayFor({ checkpointFile });
    await restarted.start();
    await h.put('o1');
    await restarted.drain();
    expect(h.delivered()).toEqual(['INSERT o0', 'INSERT o1']);
  });
});

describe('process lifetime', () => {
  // In a process of its own, because a test worker is full of other timers.
  const script = `
    import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
    import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
    import { DynamoDbStreamRelay } from ${JSON.stringify(new URL('../../local/dynamodb/stream-relay.ts', import.meta.url).href)};
    const config = {
      endpoint: process.env.RELAY_ENDPOINT,
      region: process.env.AWS_REGION,
      credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
    };
    const dynamodb = new DynamoDBClient(config);
    const client = new DynamoDBStreamsClient(config);
    const tableName = process.env.RELAY_TABLE;
    let delivered = 0;
    const relay = new DynamoDbStreamRelay({
      client, dynamodb, tableName, settings: JSON.parse(process.env.RELAY_SETTINGS),
      invoke: async (event) => { delivered += event.Records.length; },
      onDeadLetter: () => {},
    });
    await relay.start();
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'o1' }, sk: { S: 'META' } } }));
    await relay.drain();
    await relay.stop();
    dynamodb.destroy();
    client.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    console.log(JSON.stringify({ delivered, resources: process.getActiveResourcesInfo() }));
  `;

  it('after stop() the relay leaves no timer behind, so the process can exit', async () => {
    const tableName = await createOrdersTable(dynamodb, 'relay');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
      env: {
        ...process.env,
        ...LOCAL_AWS_ENV,
        RELAY_ENDPOINT: inject('dynamodbEndpoint'),
        RELAY_TABLE: tableName,
        RELAY_SETTINGS: JSON.stringify(defaults),
      },
      timeout: 50_000,
    });
    const { delivered, resources } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(delivered).toBe(1);
    expect(resources).not.toContain('Timeout');
  });
});

describe('against a scripted stream', () => {
  const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000';

  interface ScriptedShard {
    id: string;
    parent?: string;
    closed: boolean;
    records: Array<{ sequence: number; createdAt: Date }>;
  }

  function record(sequence: number, createdAt = new Date()): ScriptedShard['records'][number] {
    return { sequence, createdAt };
  }

  /** Only what the relay calls: DescribeTable, DescribeStream, GetShardIterator, GetRecords. */
  function scriptedClients(shards: ScriptedShard[], pageSize = Number.POSITIVE_INFINITY) {
    const sequenceNumber = (n: number) => String(n).padStart(21, '0');
    const toRecord = (n: number, createdAt: Date): StreamRecord => ({
      eventID: `event-${n}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: createdAt,
        Keys: { pk: { S: `k${n}` } },
        NewImage: { pk: { S: `k${n}` }, blob: { B: new Uint8Array([1, 2, 3]) } },
        SequenceNumber: sequenceNumber(n),
        SizeBytes: 10,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    const client = {
      async send(command: unknown) {
        if (command instanceof DescribeStreamCommand) {
          return {
            StreamDescription: {
              StreamArn: streamArn,
              Shards: shards.map((shard) => ({
                ShardId: shard.id,
                ParentShardId: shard.parent,
                SequenceNumberRange: {
                  StartingSequenceNumber: sequenceNumber(shard.records[0]?.sequence ?? 0),
                  ...(shard.closed ? { EndingSequenceNumber: sequenceNumber(shard.records.at(-1)!.sequence) } : {}),
                },
              })),
            },
          };
        }
        if (command instanceof GetShardIteratorCommand) {
          const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
          const shard = shards.find((s) => s.id === ShardId)!;
          const position =
            ShardIteratorType === 'AFTER_SEQUENCE_NUMBER'
              ? shard.records.findIndex((r) => sequenceNumber(r.sequence) === SequenceNumber) + 1
              : 0;
          return { ShardIterator: `${ShardId}|${position}` };
        }
        if (command instanceof GetRecordsCommand) {
          const [shardId, at] = command.input.ShardIterator!.split('|');
          const shard = shards.find((s) => s.id === shardId)!;
          const start = Number(at);
          const page = shard.records.slice(start, start + Math.min(pageSize, command.input.Limit ?? 1000));
          const next = start + page.length;
          const atEnd = shard.closed && next >= shard.records.length;
          return {
            Records: page.map((r) => toRecord(r.sequence, r.createdAt)),
            ...(atEnd ? {} : { NextShardIterator: `${shardId}|${next}` }),
          };
        }
        throw new Error(`unexpected command ${(command as object).constructor.name}`);
      },
    } as unknown as DynamoDBStreamsClient;
    const table = {
      async send() {
        return { Table: { LatestStreamArn: streamArn, StreamSpecification: { StreamEnabled: true } } };
      },
    } as unknown as DynamoDBClient;
    return { client, table };
  }

  function scriptedRelay(shards: ScriptedShard[], settings: Partial<EventSourceMappingSettings> = {}, pageSize?: number) {
    const { client, table } = scriptedClients(shards, pageSize);
    const invocations: DynamoDBRecord[][] = [];
    const deadLetters: DeadLetter[] = [];
    const relay = new DynamoDbStreamRelay({
      client,
      dynamodb: table,
      tableName: 'orders',
      settings: { ...defaults, ...settings },
      invoke: async (event) => {
        invocations.push(event.Records);
        // Gives a concurrently running child shard the chance to overtake, were lineage ignored.
        await new Promise((resolve) => setImmediate(resolve));
      },
      onDeadLetter: (failure) => {
        deadLetters.push(failure);
      },
      pollIntervalMs: 5,
    });
    running.push(relay);
    return { relay, invocations, deadLetters };
  }

  it('reads a child shard only after its parent is done, whatever order DescribeStream lists them in', async () => {
    const shards: ScriptedShard[] = [
      { id: 'shardId-child', parent: 'shardId-parent', closed: false, records: [record(4), record(5)] },
      { id: 'shardId-parent', parent: 'shardId-grandparent-trimmed', closed: true, records: [1, 2, 3].map((n) => record(n)) },
    ];
    const { relay, invocations } = scriptedRelay(shards, { batchSize: 1 });
    await relay.start();
    await relay.drain();
    expect(invocations.flat().map(key)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    // Binary attributes reach the function base64-encoded, as in Lambda's JSON event.
    expect(invocations[0]![0]!.dynamodb!.NewImage!.blob).toEqual({ B: 'AQID' });
  });

  it('invokes with what one read returned, without reading again first, when there is no batching window', async () => {
    const shards: ScriptedShard[] = [{ id: 'shardId-1', closed: false, records: [1, 2, 3].map((n) => record(n)) }];
    const { relay, invocations } = scriptedRelay(shards, { batchSize: 10 }, 1);
    await relay.start();
    await relay.drain();
    expect(invocations.map(keys)).toEqual([['k1'], ['k2'], ['k3']]);
  });

  it('gathers records over several reads for as long as the batching window', async () => {
    const shards: ScriptedShard[] = [{ id: 'shardId-1', closed: false, records: [1, 2, 3].map((n) => record(n)) }];
    // The three reads run back to back: a window of 1 s, not 0.2 s, keeps a stalled process on a loaded machine from splitting them.
    const { relay, invocations } = scriptedRelay(shards, { batchSize: 10, maximumBatchingWindowInSeconds: 1 }, 1);
    await relay.start();
    await relay.drain();
    expect(invocations.map(keys)).toEqual([['k1', 'k2', 'k3']]);
  });

  it('dead-letters records older than maximumRecordAgeInSeconds instead of invoking with them', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const shards: ScriptedShard[] = [{ id: 'shardId-1', closed: false, records: [record(1, twoHoursAgo), record(2)] }];
    const { relay, invocations, deadLetters } = scriptedRelay(shards, { maximumRecordAgeInSeconds: 3600 });
    await relay.start();
    await relay.drain();
    expect(deadLetters.map((d) => ({ reason: d.reason, keys: keys(d.records) }))).toEqual([
      { reason: 'RecordAgeExceeded', keys: ['k1'] },
    ]);
    expect(invocations.map(keys)).toEqual([['k2']]);
  });
});
