/**
 * The stream batch handler kind: a DynamoDB stream batch with partial batch failures, with
 * Powertools observability; a batch that throws is logged and redelivered by the stream.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logFailures } from '../middleware/log-failures.ts';
import { withPowertools } from '../middleware/powertools.ts';

export function streamBatchHandler(handle: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>) {
  return withPowertools(handle).use(logFailures<DynamoDBStreamEvent, DynamoDBBatchResponse>('Stream batch'));
}
