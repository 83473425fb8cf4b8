/**
 * Enrichment step of a partner's pipe: adds the personal data the partner is entitled to
 * (PERSONAL_DATA_FIELDS) to the order event, read from the order by key. The bus event it
 * receives carries none; what it returns goes to the partner's API destination only.
 */
import type { OrderEvent } from '../domain/events.ts';
import type { Order } from '../domain/order.ts';
import { PERSONAL_DATA_FIELDS, type PersonalDataField, withPersonalData } from '../domain/personal-data.ts';
import { requiredEnv } from '../environment.ts';
import { createDocumentClient } from '../store/dynamodb.ts';
import { PersonalDataStore } from '../store/personal-data-store.ts';
import { enrichmentHandler } from './enrichment-handler.ts';

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
  store: Pick<PersonalDataStore, 'read'>,
  fields: readonly PersonalDataField[],
): Promise<BusEvent[]> {
  return Promise.all(
    messages.map(async (message) => {
      const event = JSON.parse(message.body) as BusEvent;
      const personalData = await store.read(event.detail.orderId, fields);
      if (!personalData) throw new Error(`Order ${event.detail.orderId} not found`);
      return { ...event, detail: withPersonalData(event.detail, personalData as Pick<Order, 'shipTo' | 'customer'>, fields) };
    }),
  );
}

let store: PersonalDataStore | undefined;

export const handler = enrichmentHandler(async (messages: PipeSqsMessage[]) => {
  store ??= new PersonalDataStore(createDocumentClient(), requiredEnv('ORDERS_TABLE_NAME'));
  return enrichMessages(messages, store, entitledFields(requiredEnv('PERSONAL_DATA_FIELDS')));
});
