/** Erasure: a recorded change that leaves an order without its customer's personal data. */
import { describe, expect, it } from 'vitest';
import { orderThrough } from '../fixtures/lifecycle.ts';
import { ERASED, erasePersonalData } from '../../functions/domain/erasure.ts';
import { OrderNotAmendable } from '../../functions/domain/errors.ts';
import { orderEventOf, timelineOf } from '../../functions/domain/events.ts';
import { ORDER_STATUSES, placeOrder, transition, type Order } from '../../functions/domain/order.ts';

const T0 = '2026-12-01T08:00:00.000Z';
const LATER = '2026-12-02T09:00:00.000Z';
const PLANTED = ['Li Wei', '13800138000', '88 Century Avenue', '200120', 'cust-li-wei', 'li.wei@example.com', 'creator-zq81', 'Room 1203'];

function placed(): Order {
  return placeOrder(
    {
      channel: 'web-shop',
      channelOrderId: 'WEB-1',
      currency: 'CNY',
      customer: { id: 'cust-li-wei', tier: 'vip' },
      lines: [{ sku: 'TEA-001', quantity: 2, unitPrice: 100 }],
      shipTo: { name: 'Li Wei', phone: '13800138000', country: 'CN', region: 'CN-SH', city: 'Room 1203', postalCode: '200120', line1: '88 Century Avenue' },
      attribution: { touchpoints: [{ channel: 'live-stream', campaign: 'creator-zq81' }] },
    },
    'ord-1',
    T0,
  );
}

describe('erasePersonalData', () => {
  it('removes every personal field, keeps the shop\'s records, and is a new version with its own history entry', () => {
    const cancelled = transition(placed(), 'CANCELLED', T0, { cancellationReason: 'OTHER', cancellationNote: 'li.wei@example.com' }, 'OTHER');
    expect(JSON.stringify(cancelled)).toContain('li.wei@example.com');
    const erased = erasePersonalData(cancelled, LATER);
    for (const value of PLANTED) expect(JSON.stringify(erased)).not.toContain(value);
    expect(erased.shipTo).toEqual({ name: ERASED, phone: ERASED, country: 'CN', region: 'CN-SH', city: ERASED, postalCode: ERASED, line1: ERASED });
    expect(erased.customer).toEqual({ id: ERASED, tier: 'vip' });
    expect(erased).toMatchObject({ version: cancelled.version + 1, personalDataErasedAt: LATER, lines: cancelled.lines, totals: cancelled.totals, cancellationReason: 'OTHER' });
    expect(timelineOf(erased).at(-1)).toMatchObject({ amendment: 'PERSONAL_DATA_ERASED', from: 'CANCELLED', to: 'CANCELLED', event: { detailType: 'CustomerDataErased' } });
  });

  it('produces a CustomerDataErased event with nothing personal in it', () => {
    const event = orderEventOf(erasePersonalData(orderThrough(placed(), 'DELIVERED'), LATER));
    expect(event).toMatchObject({ type: 'CustomerDataErased', status: 'DELIVERED', previousStatus: 'DELIVERED' });
    for (const value of PLANTED) expect(JSON.stringify(event)).not.toContain(value);
  });

  it('changes nothing on an order already erased', () => {
    const erased = erasePersonalData(orderThrough(placed(), 'REJECTED'), LATER);
    expect(erasePersonalData(erased, '2027-01-01T00:00:00.000Z')).toBe(erased);
  });

  it.each(ORDER_STATUSES.filter((status) => !['DELIVERED', 'REJECTED', 'CANCELLED', 'FAILED'].includes(status)))(
    'refuses an order still in flight (%s): its steps need the address',
    (status) => expect(() => erasePersonalData(orderThrough(placed(), status), LATER)).toThrow(OrderNotAmendable),
  );

  it("replaces the words of a cancellation recorded before reasons were codes", () => {
    const legacy = transition(placed(), 'CANCELLED', T0, {}, 'Customer Li Wei, tel 13800138000');
    const erased = erasePersonalData({ ...legacy, cancellationReason: 'Customer Li Wei' } as unknown as Order, LATER);
    expect(erased.cancellationReason).toBe('OTHER');
    expect(erased.history.find((entry) => entry.to === 'CANCELLED')?.reason).toBe('OTHER');
    expect(JSON.stringify(erased)).not.toContain('13800138000');
  });
});
