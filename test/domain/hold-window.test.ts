/**
 * The hold window in the domain (docs/decisions/0005-hold-window-and-timers.md): a hold by the system with
 * an end, once per order; an operator's hold replaces it; the in-flight index and deadline make the
 * reconciler its backstop; an address change in the window drops the route and re-drives the order.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINES, deadlineOf, inFlightSince } from '../../functions/domain/deadlines.ts';
import { OrderNotAmendable } from '../../functions/domain/errors.ts';
import { timerName, timersOf } from '../../functions/domain/order-timers.ts';
import {
  changeShippingAddressInHoldWindow,
  hadHoldWindow,
  HOLD_WINDOW,
  holdOrder,
  placeOrder,
  startHoldWindow,
  transition,
  type Order,
} from '../../functions/domain/order.ts';
import { orderRequest } from '../fixtures/orders.ts';

const T0 = '2026-12-04T10:00:00.000Z';
const OPERATOR = { kind: 'operator' as const, id: 'ops-1' };

function routed(): Order {
  let order = placeOrder(orderRequest(), '01JHOLDWINDOW0000000000000', T0);
  order = transition(order, 'STOCK_LOCKED', '2026-12-04T10:00:00.100Z');
  return transition(order, 'ROUTED', '2026-12-04T10:00:00.200Z', { route: { parcels: [] } as unknown as Order['route'] });
}

describe('the hold window', () => {
  it('holds a routed order until now + holdSeconds, by the system, once', () => {
    const held = startHoldWindow(routed(), '2026-12-04T10:00:01.000Z', 120);
    expect(held.hold).toEqual({ by: HOLD_WINDOW, at: '2026-12-04T10:00:01.000Z', until: '2026-12-04T10:02:01.000Z' });
    expect(held.history.at(-1)).toMatchObject({ amendment: 'HELD', from: 'ROUTED', to: 'ROUTED', by: HOLD_WINDOW });
    expect(hadHoldWindow(held)).toBe(true);
    expect(startHoldWindow(held, '2026-12-04T10:00:02.000Z', 120)).toBe(held);
    const unheld = routed();
    expect(startHoldWindow(unheld, T0, 0)).toBe(unheld);
  });

  it('needs a release-hold timer at its end, named from the order and kind', () => {
    const held = startHoldWindow(routed(), '2026-12-04T10:00:01.000Z', 120);
    expect(timersOf(held)).toEqual([{ orderId: held.orderId, kind: 'release-hold', at: '2026-12-04T10:02:01.000Z' }]);
    expect(timerName(timersOf(held)[0]!)).toBe(`release-hold-${held.orderId}`);
    expect(timersOf(routed())).toEqual([]);
    const cancelled = transition(held, 'CANCELLED', '2026-12-04T10:00:05.000Z');
    expect(timersOf(cancelled)).toEqual([]);
  });

  it('stays in the in-flight index from its end, overdue a minute after it: the reconciler is its backstop', () => {
    const held = startHoldWindow(routed(), '2026-12-04T10:00:01.000Z', 120);
    expect(inFlightSince(held)).toBe('2026-12-04T10:02:01.000Z');
    expect(deadlineOf(held, DEFAULT_DEADLINES)).toBe('2026-12-04T10:03:01.000Z');
  });

  it('is replaced by an operator hold, which leaves the index and needs no timer', () => {
    const windowed = startHoldWindow(routed(), '2026-12-04T10:00:01.000Z', 120);
    const held = holdOrder(windowed, '2026-12-04T10:00:30.000Z', OPERATOR);
    expect(held.hold).toEqual({ by: OPERATOR, at: '2026-12-04T10:00:30.000Z' });
    expect(held.history.at(-1)).toMatchObject({ amendment: 'HELD', by: OPERATOR, changed: [{ field: 'hold.until', from: '2026-12-04T10:02:01.000Z', to: null }] });
    expect(timersOf(held)).toEqual([]);
    expect(deadlineOf(held, DEFAULT_DEADLINES)).toBeUndefined();
    expect(holdOrder(held, '2026-12-04T10:00:40.000Z', OPERATOR)).toBe(held);
  });

  it('takes an address change by dropping the route: back to STOCK_LOCKED, still held, re-driven', () => {
    const windowed = startHoldWindow(routed(), '2026-12-04T10:00:01.000Z', 120);
    const shipTo = { ...windowed.shipTo, region: 'Beijing', city: 'Beijing', line1: "1 Chang'an Avenue" };
    const changed = changeShippingAddressInHoldWindow(windowed, shipTo, '2026-12-04T10:00:10.000Z', { kind: 'channel', id: 'live' });
    expect(changed).toMatchObject({ status: 'STOCK_LOCKED', shipTo, hold: windowed.hold, fulfilmentRedrives: { count: 1 }, version: windowed.version + 1 });
    expect(changed.route).toBeUndefined();
    expect(changed.history.at(-1)).toMatchObject({ from: 'ROUTED', to: 'STOCK_LOCKED', amendment: 'SHIPPING_ADDRESS_CHANGED' });
    // Which fields changed, never their values.
    expect(JSON.stringify(changed.history.at(-1))).not.toContain('Chang');
    expect(changeShippingAddressInHoldWindow(windowed, windowed.shipTo, '2026-12-04T10:00:10.000Z')).toBe(windowed);
    expect(() => changeShippingAddressInHoldWindow(routed(), shipTo, '2026-12-04T10:00:10.000Z')).toThrow(OrderNotAmendable);
  });
});
