import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../domain/errors.ts';
import { AGAIN, retrying, type RetryPolicy } from '../retry-policy.ts';

/**
 * One document client per process. The endpoint comes from the SDK's own
 * configuration (AWS_ENDPOINT_URL_DYNAMODB locally), so nothing here knows where it runs.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Every item a query matches, page after page, as they come. */
export async function* queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

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

/**
 * Writes tagged items in one transaction. Undefined when it committed; otherwise the parts whose
 * condition failed, with the error to rethrow when none of them says why. Write conflicts and
 * throttling throw a TransientError: worth retrying, never a business outcome.
 */
export async function transactParts<Part>(
  client: DynamoDBDocumentClient,
  items: ReadonlyArray<{ part: Part; item: TransactItem }>,
): Promise<{ failed: Set<Part>; error: unknown } | undefined> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
    return undefined;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (isRetryableConflict(reasons)) throw new TransientError('Transaction conflicted with a concurrent write');
    return { failed: new Set(items.flatMap(({ part }, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? [part] : []))), error };
  }
}

/** Unprocessed keys come back under throttling: wait longer than for a write conflict. */
const BATCH_GET_POLICY: RetryPolicy = { attempts: 8, baseMs: 25, capMs: 1000 };

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
  return retrying(
    async () => {
      if (pending.length > 0) {
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending.slice(0, 100), ConsistentRead: consistentRead } } }),
        );
        items.push(...(Responses?.[tableName] ?? []));
        pending = [...(UnprocessedKeys?.[tableName]?.Keys ?? []), ...pending.slice(100)];
      }
      return pending.length > 0 ? AGAIN : items;
    },
    { policy: BATCH_GET_POLICY, exhausted: () => new TransientError('BatchGetItem kept returning unprocessed keys') },
  );
}
