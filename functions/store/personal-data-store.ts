/**
 * Reads an order's personal data by key, projected to the fields a reader is entitled to, so
 * nothing else leaves the table.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../domain/order.ts';
import { orderAttributesFor, type PersonalDataField } from '../domain/personal-data.ts';
import { orderKey } from './keys.ts';

export type PersonalData = Partial<Pick<Order, 'shipTo' | 'customer'>>;

export class PersonalDataStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** The order's attributes that hold `fields`; undefined when there is no such order. */
  async read(orderId: string, fields: readonly PersonalDataField[]): Promise<PersonalData | undefined> {
    const attributes = orderAttributesFor(fields);
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
      }),
    );
    return Item as PersonalData | undefined;
  }
}
