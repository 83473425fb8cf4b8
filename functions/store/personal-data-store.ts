/**
 * Reads an order's personal data by key, projected to the fields a reader is entitled to, so
 * nothing else leaves the table.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../domain/order.ts';
import type { PersonalDataField } from '../domain/personal-data.ts';
import { orderKey } from './keys.ts';
import { fromOrderItems, personalDataAttributesFor } from './order-item.ts';

export type PersonalData = Partial<Pick<Order, 'shipTo' | 'customer'>>;

export class PersonalDataStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /**
   * The attributes that hold `fields`, from the order item and its personal data item (one
   * Query over both); undefined when there is no such order.
   */
  async read(orderId: string, fields: readonly PersonalDataField[]): Promise<PersonalData | undefined> {
    const { pk, sk } = orderKey(orderId);
    // The sort key tells the two items apart; compact sealed values are rebuilt from the key and the shared data keys.
    const attributes = personalDataAttributesFor(fields);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
        ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', ...Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])) },
        ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
      }),
    );
    return fromOrderItems(Items);
  }
}
