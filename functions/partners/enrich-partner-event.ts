/**
 * Enrichment step of a partner's pipe: adds the personal data the partner is entitled to
 * (PERSONAL_DATA_FIELDS) to the order event, read from the order by key. The bus event it
 * receives carries none; what it returns goes to the partner's API destination only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { OrderEvent } from '../domain/events.ts';
import type { Order } from '../domain/order.ts';
import { orderAttributesFor, PERSONAL_DATA_FIELDS, type PersonalDataField, withPersonalData } from '../domain/personal-data.ts';
import { logger, tracer } from '../observability.ts';
import { createDocumentClient, requiredEnv } from '../store/dynamodb.ts';
import { orderKey } from '../store/keys.ts';

/** What a pipe with an SQS source passes to its enrichment: one entry per message. */
export interface PipeSqsMessage {
  messageId: string;
  body: string;
}

interface BusEvent {
  detail: OrderEvent;
  [field: string]: unknown;
}

export function entitledFields(setting: string): PersonalDataField[] {
  const fields = setting.split(',').filter(Boolean);
  const unknown = fields.filter((field) => !(PERSONAL_DATA_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) throw new Error(`PERSONAL_DATA_FIELDS names unknown fields: ${unknown.join(', ')}`);
  return fields as PersonalDataField[];
}

/** Each message's bus event with the entitled fields; throws (so the pipe retries) if an order cannot be read. */
export async function enrichMessages(
  messages: readonly PipeSqsMessage[],
  client: DynamoDBDocumentClient,
  tableName: string,
  fields: readonly PersonalDataField[],
): Promise<BusEvent[]> {
  const attributes = orderAttributesFor(fields);
  return Promise.all(
    messages.map(async (message) => {
      const event = JSON.parse(message.body) as BusEvent;
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: orderKey(event.detail.orderId),
          // Only what the partner is entitled to leaves the table.
          ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
        }),
      );
      if (!Item) throw new Error(`Order ${event.detail.orderId} not found`);
      return { ...event, detail: withPersonalData(event.detail, Item as Pick<Order, 'shipTo' | 'customer'>, fields) };
    }),
  );
}

let client: DynamoDBDocumentClient | undefined;

export const handler = middy((messages: PipeSqsMessage[]) => {
  client ??= createDocumentClient();
  return enrichMessages(messages, client, requiredEnv('ORDERS_TABLE_NAME'), entitledFields(requiredEnv('PERSONAL_DATA_FIELDS')));
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
