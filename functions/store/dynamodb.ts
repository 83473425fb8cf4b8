import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../domain/errors.ts';
import { tracer } from '../observability.ts';

/**
 * One document client per process. The endpoint comes from the SDK's own
 * configuration (AWS_ENDPOINT_URL_DYNAMODB locally), so nothing here knows where it runs.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(tracer.captureAWSv3Client(client), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

interface RawCancellationReason {
  Code?: string;
  Item?: Record<string, AttributeValue>;
}

interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

/**
 * The per-item reasons of a cancelled transaction, or undefined for any other error.
 * The document client does not unmarshall items carried by the exception, so this does.
 */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error && error.name === 'TransactionCanceledException')) return undefined;
  const reasons = (error as Error & { CancellationReasons?: RawCancellationReason[] }).CancellationReasons ?? [];
  return reasons.map(({ Code, Item }) => ({ ...(Code ? { Code } : {}), ...(Item ? { Item: unmarshall(Item) } : {}) }));
}

/** Write conflicts and throttling: worth retrying, never a business outcome. */
export function isRetryableConflict(reasons: CancellationReason[]): boolean {
  return reasons.some((reason) =>
    ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(reason.Code ?? ''),
  );
}

// What the SDK itself treats as throttling or a transient fault, once its own retries are spent.
const TRANSIENT_AWS_ERRORS = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
]);

/**
 * An AWS call that failed for a reason a later retry can fix, as a TransientError,
 * so the workflow retries the step and the HTTP API answers 503 with Retry-After.
 */
export function asTransient(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TransientError) return error;
  const retryable = TRANSIENT_AWS_ERRORS.has(error.name) || (error as { $retryable?: unknown }).$retryable !== undefined;
  return retryable ? new TransientError(`${error.name}: ${error.message}`, { cause: error }) : error;
}

const BATCH_GET_ATTEMPTS = 8;

/**
 * BatchGetItem until every key is answered, backing off while DynamoDB returns
 * unprocessed keys (it does under throttling). Items come back in no particular order.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
  consistentRead: boolean,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= BATCH_GET_ATTEMPTS) throw new TransientError('BatchGetItem kept returning unprocessed keys');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    const { Responses, UnprocessedKeys } = await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending.slice(0, 100), ConsistentRead: consistentRead } } }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    pending = [...(UnprocessedKeys?.[tableName]?.Keys ?? []), ...pending.slice(100)];
  }
  return items;
}
