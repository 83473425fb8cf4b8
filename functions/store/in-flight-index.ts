/**
 * The reconciler's view of the orders table: orders in flight since a given time, from the
 * sparse `byInFlightSince` index (only in-flight orders carry its keys, see order-item.ts).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InFlightOrders } from '../use-cases/ports.ts';
import { IN_FLIGHT_SHARDS, ORDER_INDEXES, PARTITIONS } from './keys.ts';

const INDEX = 'byInFlightSince';
const { partitionKey, sortKey } = ORDER_INDEXES[INDEX];

export class InFlightIndex implements InFlightOrders {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** Ids of orders in flight since `cutoff` or earlier, oldest first per shard. */
  async *inFlightSince(cutoff: string): AsyncGenerator<string> {
    for (let shard = 0; shard < IN_FLIGHT_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX,
            KeyConditionExpression: `${partitionKey} = :shard AND ${sortKey} <= :cutoff`,
            ExpressionAttributeValues: { ':shard': String(shard), ':cutoff': cutoff },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) yield String(item.pk).slice(PARTITIONS.order.length);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
}
