/**
 * The reconciler's view of the orders table: orders still in flight whose first check is due,
 * from the sparse `byCheckAt` index (only in-flight orders carry its keys, see order-item.ts).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHECK_SHARDS, INDEX } from './keys.ts';

export class InFlightIndex {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** Ids of in-flight orders whose first check is at or before `now`, oldest first per shard. */
  async *dueBy(now: string): AsyncGenerator<string> {
    for (let shard = 0; shard < CHECK_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.byCheckAt,
            KeyConditionExpression: 'checkShard = :shard AND checkAt <= :now',
            ExpressionAttributeValues: { ':shard': String(shard), ':now': now },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) yield String(item.pk).slice('ORDER#'.length);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
}
