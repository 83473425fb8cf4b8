/**
 * The reconciler's view of the orders table: orders in flight since a given time, from the
 * sparse `byInFlightSince` index (only in-flight orders carry its keys, see order-item.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InFlightOrders } from '../use-cases/ports.ts';
import { queryAll } from './dynamodb.ts';
import { IN_FLIGHT_SHARDS, ORDER_INDEXES, PARTITIONS, paymentDueShard } from './keys.ts';

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
  inFlightSince(cutoff: string): AsyncGenerator<string> {
    return this.upTo((shard) => String(shard), cutoff);
  }

  /** Ids of orders awaiting a payment due at `now` or earlier, earliest first per shard. */
  paymentDueBy(now: string): AsyncGenerator<string> {
    return this.upTo((shard) => paymentDueShard(shard), now);
  }

  private async *upTo(partition: (shard: number) => string, cutoff: string): AsyncGenerator<string> {
    for (let shard = 0; shard < IN_FLIGHT_SHARDS; shard++) {
      const items = queryAll(this.client, {
        TableName: this.tableName,
        IndexName: INDEX,
        KeyConditionExpression: `${partitionKey} = :shard AND ${sortKey} <= :cutoff`,
        ExpressionAttributeValues: { ':shard': partition(shard), ':cutoff': cutoff },
      });
      for await (const item of items) yield String(item.pk).slice(PARTITIONS.order.length);
    }
  }
}
