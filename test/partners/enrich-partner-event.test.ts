/** The partner enrichment opens exactly the sealed fields the partner is entitled to, for the event's order. */
import { describe, expect, it } from 'vitest';
import { enrichMessages } from '../../functions/partners/enrich-partner-event.ts';
import type { SealedPath } from '../../functions/domain/personal-data.ts';
import type { PersonalDataCipher } from '../../functions/use-cases/ports.ts';

const ORDER_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
const message = {
  messageId: 'm-1',
  body: JSON.stringify({
    'detail-type': 'OrderRouted',
    detail: { orderId: ORDER_ID, type: 'OrderRouted', data: { shipTo: { country: 'CN', region: 'Shanghai', city: 'Shanghai', phone: '+** *** **** 8000' } } },
  }),
};
const stored = {
  shipTo: { name: 'sealed:name', phone: 'sealed:phone', line1: 'sealed:line1', postalCode: 'sealed:postal', country: 'CN', region: 'Shanghai', city: 'Shanghai' },
  customer: { id: 'cust-42', tier: 'plus' as const },
};

function recordingCipher() {
  const opened: Array<[string, SealedPath]> = [];
  const cipher: PersonalDataCipher = {
    seal: () => Promise.reject(new Error('not here')),
    open: async (orderId, path, sealed) => {
      opened.push([orderId, path]);
      return `opened(${sealed})`;
    },
  };
  return { cipher, opened };
}

describe('enrichMessages', () => {
  it('adds the entitled fields, opening only the sealed ones it adds, and nothing else', async () => {
    const { cipher, opened } = recordingCipher();
    const store = { read: async () => stored };
    const [event] = await enrichMessages([message], store, cipher, ['shipTo.phone', 'shipTo.line1', 'customer.id']);
    expect(event!.detail.data.shipTo).toEqual({
      country: 'CN',
      region: 'Shanghai',
      city: 'Shanghai',
      phone: 'opened(sealed:phone)',
      line1: 'opened(sealed:line1)',
    });
    expect(event!.detail.data).toMatchObject({ customerId: 'cust-42' });
    expect(opened).toEqual([
      [ORDER_ID, 'shipTo.phone'],
      [ORDER_ID, 'shipTo.line1'],
    ]);
  });

  it('fails the batch (so the pipe retries) when a value does not open', async () => {
    const cipher: PersonalDataCipher = { seal: () => Promise.reject(new Error('not here')), open: () => Promise.reject(new Error('AccessDenied')) };
    await expect(enrichMessages([message], { read: async () => stored }, cipher, ['shipTo.name'])).rejects.toThrow('AccessDenied');
  });
});
