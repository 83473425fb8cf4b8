/**
 * A customer's orders, from the `byCustomer` index (only order items carry its key, and an
 * erased order no longer does, see order-item.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerOrders } from '../use-cases/ports.ts';
import { queryAll } from './dynamodb.ts';
import { ORDER_INDEXES } from './keys.ts';

const INDEX = 'byCustomer';
const { partitionKey } = ORDER_INDEXES[INDEX];

export class CustomerIndex implements CustomerOrders {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async *orderIdsOf(customerId: string): AsyncGenerator<string> {
    const items = queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX,
      KeyConditionExpression: '#customer = :customer',
      ExpressionAttributeNames: { '#customer': partitionKey },
      ExpressionAttributeValues: { ':customer': customerId },
    });
    for await (const item of items) yield String(item.orderId);
  }
}
