/** Free text on the bus: only codes and place names leave the order, whatever a channel typed. */
import { describe, expect, it } from 'vitest';
import { orderEventOf } from '../../functions/domain/events.ts';
import { isPublishablePlace, personalDataIn, personalDataInPaymentIdentifier } from '../../functions/domain/free-text.ts';
import { placeOrder, transition, type Order, type OrderRequest } from '../../functions/domain/order.ts';

const T0 = '2026-12-01T08:00:00.000Z';

function placed(overrides: Partial<OrderRequest> = {}): Order {
  return placeOrder(
    {
      channel: 'web-shop',
      channelOrderId: 'WEB-1',
      currency: 'CNY',
      customer: { id: 'cust-1', tier: 'standard' },
      lines: [{ sku: 'TEA-001', quantity: 1, unitPrice: 100 }],
      shipTo: { name: 'Li Wei', phone: '13800138000', country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000', line1: '88 Century Avenue' },
      ...overrides,
    },
    'ord-1',
    T0,
  );
}

describe('isPublishablePlace', () => {
  it.each(['Shanghai', '上海市', 'CN-SH', 'GB-ENG', 'Saint-Étienne', "Val d'Oise", 'ENG'])('publishes %s', (place) => {
    expect(isPublishablePlace(place)).toBe(true);
  });

  it.each(['Li Wei 13800138000', '88 Century Avenue', 'Room 1203', 'li.wei@example.com', '', 'x'.repeat(61), 'Shanghai; drop'])(
    'withholds %j',
    (place) => expect(isPublishablePlace(place)).toBe(false),
  );
});

describe('personalDataIn', () => {
  it.each([
    ['li.wei@example.com', 'an e-mail address'],
    ['13800138000', 'a phone or ID number'],
    ['+86 138-0013-8000', 'a phone or ID number'],
    ['+44 (0)20 7946 0958', 'a phone or ID number'],
    ['110101199003071234', 'a phone or ID number'],
    ['11010119900307123X', 'a phone or ID number'],
    ['123-45-6789', 'a phone or ID number'],
  ])('finds %s', (value, kind) => expect(personalDataIn(value)).toBe(kind));

  it.each(['spring-sale-2026', 'gclid-XYZ-31337', 'creator-zq81', 'cpc', '12345 6'])('lets %s through', (value) => {
    expect(personalDataIn(value)).toBeUndefined();
  });
});

describe('personalDataInPaymentIdentifier', () => {
  it.each([
    ['2026120422001404561234567890', 'an Alipay trade_no'],
    ['4200001234202612041234567890', 'a WeChat Pay transaction_id'],
    ['50300000382026120409732678859', 'a WeChat Pay refund_id'],
    ['2015042321001004720200028594', 'an Alipay trade_no of another year'],
    ['pi_3QpX2aZk9', 'a Stripe payment intent'],
  ])('lets %s through (%s)', (value) => expect(personalDataInPaymentIdentifier(value)).toBeUndefined());

  it.each([
    ['13800138000', 'a phone number'],
    ['110101199003071234', 'a resident ID'],
    ['6222021234567890123', 'a 19-digit card number'],
    ['13800138000-13800138001', 'two phone numbers joined'],
    ['1380013800013800138001', 'two phone numbers run together'],
    ['622202123456789012313800138000', 'a card number and a phone'],
    ['11010119900307123413800', 'a resident ID and digits'],
    ['2026120413800138000123456789', "a merchant's number: the day, a phone, a sequence (Alipay's length)"],
    ['4200001234202613041234567890', "WeChat Pay's layout with no such day"],
    ['4200001234202612041234567890X', 'digits with something after them'],
    ['li.wei@example.com', 'an e-mail address'],
  ])('refuses %s (%s)', (value) => expect(personalDataInPaymentIdentifier(value)).toBeDefined());
});

describe('events carry no free text', () => {
  it('omit a region or city that is not a place, and keep those that are', () => {
    const order = placed({
      shipTo: { name: 'Li Wei', phone: '13800138000', country: 'CN', region: '88 Century Avenue', city: 'Li Wei 13800138000', postalCode: '200000', line1: 'x' },
    });
    const { shipTo } = orderEventOf(order).data;
    expect(shipTo).toEqual({ country: 'CN', phone: '*******8000' });
    expect(orderEventOf(placed()).data.shipTo).toMatchObject({ region: 'Shanghai', city: 'Shanghai' });
  });

  it("omit a channel order id outside the character set (orders placed before it was enforced)", () => {
    const event = orderEventOf(placed({ channelOrderId: 'li.wei@example.com' }));
    expect('channelOrderId' in event).toBe(false);
    expect(JSON.stringify(event)).not.toContain('li.wei');
  });

  it('publish the cancellation code, never the note', () => {
    const order = transition(placed(), 'CANCELLED', T0, { cancellationReason: 'FRAUD_SUSPECTED', cancellationNote: 'Customer Li Wei, tel 13800138000' }, 'FRAUD_SUSPECTED');
    const event = orderEventOf(order);
    expect(event.data).toMatchObject({ reason: 'FRAUD_SUSPECTED' });
    expect(JSON.stringify(event)).not.toContain('13800138000');
  });

  it('publish an order cancelled with free text before codes existed as OTHER', () => {
    const legacy = { ...placed(), cancellationReason: 'Customer Li Wei, tel 13800138000' } as unknown as Order;
    const event = orderEventOf(transition(legacy, 'CANCELLED', T0));
    expect(event.data).toMatchObject({ reason: 'OTHER' });
  });
});
