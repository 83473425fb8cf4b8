/**
 * Delivery-option quotes in the orders table, one item each under `QUOTE#<quoteId>`. DynamoDB's
 * TTL deletes them a day after their validity ends: the day lets an order placed just before
 * the end, whose routing runs later (a retry, a hold), still read the quote and be told it was
 * valid; validity itself is `validUntil`, which the use case checks, never the TTL's timing.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { QuoteRepository, StoredQuote } from '../use-cases/ports.ts';
import { ENTITY, quoteKey } from './keys.ts';

/** How long a quote outlives its validity before the TTL may delete it. */
export const QUOTE_KEEP_SECONDS = 24 * 3600;

export class QuoteStore implements QuoteRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** Quote ids are new ULIDs: the condition only guards against writing over another quote. */
  async save(quote: StoredQuote): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...quoteKey(quote.quoteId),
          entityType: ENTITY.quote,
          ...quote,
          expiresAt: Math.floor(Date.parse(quote.validUntil) / 1000) + QUOTE_KEEP_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Read consistently: an order placed right after its quote must find it. */
  async get(quoteId: string): Promise<StoredQuote | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: quoteKey(quoteId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { quoteId: id, channel, lines, place, validUntil, policyVersion, options } = Item;
    return { quoteId: id, channel, lines, place, validUntil, policyVersion: policyVersion ?? null, options } as StoredQuote;
  }
}
