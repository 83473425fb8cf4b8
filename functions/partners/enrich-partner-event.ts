/**
 * Enrichment step of a partner's pipe: adds the personal data the partner is entitled to
 * (PERSONAL_DATA_FIELDS) to the order event, read from the order by key. The bus event it
 * receives carries none; what it returns goes to the partner's API destination only.
 */
import type { OrderEvent } from '../domain/events.ts';
import type { Order } from '../domain/order.ts';
import {
  PERSONAL_DATA_FIELDS,
  type PersonalDataField,
  SEALED_PATHS,
  type SealedPath,
  valueAt,
  withPersonalData,
  withValueAt,
} from '../domain/personal-data.ts';
import { lazyEncryptionSdkCipher } from '../crypto/lazy-cipher.ts';
import type { PersonalDataCipher } from '../use-cases/ports.ts';
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

/** The entitled fields that are stored sealed: only these are opened. */
function sealedAmong(fields: readonly PersonalDataField[]): SealedPath[] {
  return SEALED_PATHS.filter((path) => (fields as readonly string[]).includes(path));
}

/** Each message's bus event with the entitled fields opened; throws (so the pipe retries) if an order cannot be read or opened. */
export async function enrichMessages(
  messages: readonly PipeSqsMessage[],
  store: Pick<PersonalDataStore, 'read'>,
  cipher: PersonalDataCipher,
  fields: readonly PersonalDataField[],
): Promise<BusEvent[]> {
  return Promise.all(
    messages.map(async (message) => {
      const event = JSON.parse(message.body) as BusEvent;
      const { orderId } = event.detail;
      let personalData = await store.read(orderId, fields);
      if (!personalData) throw new Error(`Order ${orderId} not found`);
      for (const path of sealedAmong(fields)) {
        const sealed = valueAt(personalData, path);
        if (sealed !== undefined) personalData = withValueAt(personalData, path, await cipher.open(orderId, path, sealed));
      }
      return { ...event, detail: withPersonalData(event.detail, personalData as Pick<Order, 'shipTo' | 'customer'>, fields) };
    }),
  );
}

let store: PersonalDataStore | undefined;
let cipher: PersonalDataCipher | undefined;

export const handler = enrichmentHandler(async (messages: PipeSqsMessage[]) => {
  store ??= new PersonalDataStore(createDocumentClient(), requiredEnv('ORDERS_TABLE_NAME'));
  const fields = entitledFields(requiredEnv('PERSONAL_DATA_FIELDS'));
  // Only a partner entitled to sealed fields has the key in its environment.
  if (sealedAmong(fields).length > 0) cipher ??= lazyEncryptionSdkCipher();
  return enrichMessages(messages, store, cipher ?? NO_SEALED_FIELDS, fields);
});

const NO_SEALED_FIELDS: PersonalDataCipher = {
  seal: () => Promise.reject(new Error('The enrichment never seals')),
  open: () => Promise.reject(new Error('No sealed field is entitled here')),
};
