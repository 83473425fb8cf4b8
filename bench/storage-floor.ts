/**
 * What DynamoDB Local itself allows on one hot item: conditional counter updates at
 * the same concurrency as the lock benchmark, so the two figures form a ratio that
 * says how much the pipeline's own work costs, whatever the machine's speed.
 */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';

export async function measureConditionalWriteFloor(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { writes: number; concurrency: number },
): Promise<{ writes: number; seconds: number; writesPerSecond: number }> {
  const key = { pk: `FLOOR#${ulid()}`, sk: 'COUNTER' };
  await client.send(new PutCommand({ TableName: tableName, Item: { ...key, available: options.writes } }));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next++ < options.writes) {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET available = available - :one',
            ConditionExpression: 'available >= :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { writes: options.writes, seconds, writesPerSecond: options.writes / seconds };
}
