/**
 * What one invocation of a stream batch came to, read as Lambda reads it: success, a partial
 * batch response (ReportBatchItemFailures) or a failure.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describeError } from './stream-errors.ts';

export type BatchOutcome =
  | { kind: 'success' }
  /** Records before `failedIndex` are done. */
  | { kind: 'partial'; failedIndex: number }
  | { kind: 'failure'; error: string; functionError: boolean };

export async function invokeBatch(
  invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>,
  batch: DynamoDBRecord[],
  reportBatchItemFailures: boolean,
): Promise<BatchOutcome> {
  let response: DynamoDBBatchResponse | void;
  try {
    response = await invoke({ Records: batch });
  } catch (error) {
    return { kind: 'failure', error: describeError(error), functionError: true };
  }
  if (!reportBatchItemFailures || response === null || typeof response !== 'object') return { kind: 'success' };
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
