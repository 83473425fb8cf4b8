/** The request shapes of quotes: what `POST /quotes` accepts, and the quote reference `POST /orders` may carry. */
import { describe, expect, it } from 'vitest';
import { orderRequestSchema, quoteRequestSchema } from '../../functions/http/schemas.ts';
import { orderRequest } from '../fixtures/orders.ts';

const DESTINATION = { country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000' };
const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  (result.error?.issues ?? []).map((issue) => issue.path.join('.'));

describe('POST /quotes body', () => {
  it('takes lines with optional attributes, a destination and an optional tier', () => {
    const body = { lines: [{ sku: 'TEA-001', quantity: 2, attributes: { liquid: true } }], destination: DESTINATION, customerTier: 'vip' };
    expect(quoteRequestSchema.parse(body)).toEqual(body);
  });

  it('refuses anything personal beyond the place (name, phone, street), naming each field', () => {
    const result = quoteRequestSchema.safeParse({
      lines: [{ sku: 'TEA-001', quantity: 2 }],
      destination: { ...DESTINATION, name: 'Li Wei', phone: '+86 138 0013 8000', line1: '88 Century Avenue' },
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toContain('line1');
    expect(JSON.stringify(result.error!.issues)).toContain('name');
  });

  it('names every failing field: no lines, a bad quantity, a country that is not a code', () => {
    expect(paths(quoteRequestSchema.safeParse({ lines: [], destination: DESTINATION }))).toEqual(['lines']);
    expect(paths(quoteRequestSchema.safeParse({ lines: [{ sku: 'A', quantity: 0 }], destination: { ...DESTINATION, country: 'China' } }))).toEqual([
      'lines.0.quantity',
      'destination.country',
    ]);
  });
});

describe('POST /orders quote reference', () => {
  const { channel: _channel, ...order } = orderRequest();

  it('is optional, and takes a quote id with one of the three options', () => {
    expect(orderRequestSchema.safeParse(order).success).toBe(true);
    expect(orderRequestSchema.safeParse({ ...order, quote: { quoteId: '01J00000000000000000000000', option: 'greenest' } }).success).toBe(true);
  });

  it('refuses an id that is no quote id, or another option, naming the field', () => {
    expect(paths(orderRequestSchema.safeParse({ ...order, quote: { quoteId: 'nope', option: 'slowest' } }))).toEqual(['quote.quoteId', 'quote.option']);
  });
});
