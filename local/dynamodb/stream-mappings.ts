/** The template's DynamoDB stream event source mappings, each run by a stream relay against DynamoDB Local. */
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DeadLetterQueues } from '../dead-letters.ts';
import type { BatchTiming, HopRecorder } from '../hop-recorder.ts';
import type { StreamMappingTopology } from '../topology.ts';
import { LOCAL_AWS_ENV, type DynamoDbLocal } from './dynamodb-local.ts';
import { DynamoDbStreamRelay } from './stream-relay.ts';

export interface StreamMappingsOptions {
  mappings: StreamMappingTopology[];
  dynamodb: DynamoDbLocal;
  tableName: (logicalId: string) => string;
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  deadLetters: DeadLetterQueues;
  /** Where each mapping keeps its shard checkpoints (`stream-<mapping>.json`). */
  dataDir?: string;
  log: (line: string) => void;
  /** Receives each batch's read and invocation times (`npm run bench:latency`). */
  recorder?: HopRecorder;
}

export interface StreamMappings {
  drain(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamMappings(options: StreamMappingsOptions): Promise<StreamMappings> {
  const client = new DynamoDBStreamsClient({
    endpoint: options.dynamodb.endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
  });
  const relays = options.mappings.map(
    (mapping) =>
      new DynamoDbStreamRelay({
        client,
        dynamodb: options.dynamodb.client,
        tableName: options.tableName(mapping.tableLogicalId),
        settings: mapping,
        invoke: (event) => options.invoke(mapping.functionLogicalId, event) as never,
        onDeadLetter: (failure) => options.deadLetters.send(mapping.deadLetterQueueLogicalId, failure),
        ...(options.dataDir ? { checkpointFile: join(options.dataDir, `stream-${mapping.logicalId}.json`) } : {}),
        ...(options.recorder
          ? { onBatch: (timing: BatchTiming) => options.recorder!.mark({ kind: 'stream-batch', functionLogicalId: mapping.functionLogicalId, ...timing }) }
          : {}),
        log: options.log,
      }),
  );
  const stop = async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    client.destroy();
  };
  try {
    for (const relay of relays) await relay.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    drain: async (timeoutMs) => {
      await Promise.all(relays.map((relay) => relay.drain(timeoutMs)));
    },
    stop,
  };
}
