import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
