/**
 * The audit a change records on the order's history: who, and what it changed; personal
 * fields by name only.
 */
import { describe, expect, it } from 'vitest';
import { changeShippingAddress, holdOrder, placeOrder, transition, type Actor } from '../../functions/domain/order.ts';
import { DEFAULT_DEADLINES, inFlightSince, overdueSeconds, redrive } from '../../functions/domain/deadlines.ts';
import { orderRequest } from '../fixtures/orders.ts';

const NOW = '2026-12-03T10:00:00.000Z';
const LATER = '2026-12-03T11:00:00.000Z';
const channel: Actor = { kind: 'channel', id: 'web-shop-client' };
const operator: Actor = { kind: 'operator', id: 'ops' };

describe('order audit', () => {
  it('records who changed the address and which fields, never the values', () => {
    const order = placeOrder(orderRequest(), '01JBQ3Z8W0000000000000000A', NOW, channel);
    expect(order.history[0]!.by).toEqual(channel);
    const moved = changeShippingAddress(order, { ...order.shipTo, line1: '99 Secret Street', phone: '+8613900000000' }, NOW, channel);
    const entry = moved.history.at(-1)!;
    expect(entry).toMatchObject({ amendment: 'SHIPPING_ADDRESS_CHANGED', by: channel, changed: [{ field: 'shipTo.phone' }, { field: 'shipTo.line1' }] });
    expect(JSON.stringify(entry)).not.toMatch(/Secret|13900000000/);
  });

  it('records old and new values of plain fields a transition sets', () => {
    const order = placeOrder(orderRequest(), '01JBQ3Z8W0000000000000000B', NOW);
    const cancelled = transition(order, 'CANCELLED', NOW, { cancellationReason: 'CUSTOMER_REQUEST' }, 'CUSTOMER_REQUEST', operator);
    expect(cancelled.history.at(-1)).toMatchObject({ by: operator, changed: [{ field: 'cancellationReason', from: null, to: 'CUSTOMER_REQUEST' }] });
  });

  it('records that free text the channel typed changed, never what it says', () => {
    const order = placeOrder(orderRequest(), '01JBQ3Z8W0000000000000000C', NOW);
    const note = 'call Li Wei on 13800138000';
    const cancelled = transition(order, 'CANCELLED', NOW, { cancellationReason: 'OTHER', cancellationNote: note }, 'OTHER', channel);
    expect(cancelled.history.at(-1)!.changed).toEqual([{ field: 'cancellationReason', from: null, to: 'OTHER' }, { field: 'cancellationNote' }]);
    expect(JSON.stringify(cancelled.history)).not.toContain('13800138000');
  });

  it('takes a held order off the deadlines until released, and the release is a re-drive by the operator', () => {
    const order = placeOrder(orderRequest(), '01JBQ3Z8W0000000000000000C', NOW);
    const held = holdOrder(order, NOW, operator);
    expect(holdOrder(held, LATER, channel)).toBe(held);
    expect(inFlightSince(held)).toBeUndefined();
    expect(overdueSeconds(held, LATER, DEFAULT_DEADLINES)).toBe(0);
    const released = redrive(held, LATER, DEFAULT_DEADLINES, operator);
    expect(released.hold).toBeUndefined();
    expect(released.history.at(-1)).toMatchObject({ amendment: 'FULFILMENT_REDRIVEN', by: operator });
    expect(inFlightSince(released)).toBe(LATER);
  });

  it('lets an operator re-drive past the reconciler\'s last, without giving up', () => {
    let order = placeOrder(orderRequest(), '01JBQ3Z8W0000000000000000D', NOW);
    for (let i = 0; i < DEFAULT_DEADLINES.maxRedrives; i++) order = redrive(order, NOW, DEFAULT_DEADLINES);
    expect(redrive(order, NOW, DEFAULT_DEADLINES).fulfilmentRedrives?.giveUp).toBe(true);
    expect(redrive(order, NOW, DEFAULT_DEADLINES, operator).fulfilmentRedrives?.giveUp).toBeUndefined();
  });
});
