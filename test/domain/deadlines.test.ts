/** Deadlines in flight and the re-drive: pure, with the clock passed in. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEADLINES,
  inFlightSince,
  IN_FLIGHT_STATUSES,
  overdueCutoff,
  overdueSeconds,
  redrive,
  redriveFailed,
  deadlineOf,
} from '../../functions/domain/deadlines.ts';
import { orderEventOf, timelineOf } from '../../functions/domain/events.ts';
import { NotRetryable } from '../../functions/domain/errors.ts';
import { ORDER_STATUSES, placeOrder, transition } from '../../functions/domain/order.ts';
import { orderThrough } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';

const T0 = '2026-12-03T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const placed = () => placeOrder(orderRequest(), 'ord-1', T0);

describe('deadlines', () => {
  it('count from when the order entered its status', () => {
    const locked = transition(placed(), 'STOCK_LOCKED', at(100));
    expect(overdueSeconds(locked, at(399), DEFAULT_DEADLINES)).toBe(0);
    expect(overdueSeconds(locked, at(410), DEFAULT_DEADLINES)).toBe(10);
    expect(overdueSeconds(placed(), at(130), DEFAULT_DEADLINES)).toBe(10);
  });

  it('restart with a re-drive, not with an address change', () => {
    const order = placed();
    const redriven = redrive(order, at(200), DEFAULT_DEADLINES);
    expect(overdueSeconds(redriven, at(300), DEFAULT_DEADLINES)).toBe(0);
    expect(overdueSeconds(redriven, at(330), DEFAULT_DEADLINES)).toBe(10);
    expect(inFlightSince(redriven)).toBe(at(200));
  });

  it.each(ORDER_STATUSES.filter((s) => !(IN_FLIGHT_STATUSES as readonly string[]).includes(s)))(
    'do not apply once the order is %s, which leaves the reconciler index',
    (status) => {
      const order = orderThrough(placed(), status);
      expect(overdueSeconds(order, at(100_000), DEFAULT_DEADLINES)).toBe(0);
      expect(inFlightSince(order)).toBeUndefined();
    },
  );

  it('keep an order in the index under the same key through healthy transitions', () => {
    const order = placed();
    const routed = transition(transition(order, 'STOCK_LOCKED', at(1)), 'ROUTED', at(2));
    expect(inFlightSince(order)).toBe(T0);
    expect(inFlightSince(routed)).toBe(T0);
  });

  it('bound the index query by the shortest deadline', () => {
    expect(overdueCutoff(at(1000), DEFAULT_DEADLINES)).toBe(at(880));
  });
});

describe('a re-drive', () => {
  it('is a recorded change with its own event, and gives up after the last allowed', () => {
    let order = transition(placed(), 'STOCK_LOCKED', at(1));
    for (let count = 1; count <= DEFAULT_DEADLINES.maxRedrives; count++) {
      order = redrive(order, at(count * 400), DEFAULT_DEADLINES);
      expect(order.fulfilmentRedrives).toEqual({ count });
      expect(orderEventOf(order)).toMatchObject({ type: 'OrderFulfilmentRedriven', status: 'STOCK_LOCKED', data: { redrive: { count } } });
    }
    order = redrive(order, at(2000), DEFAULT_DEADLINES);
    expect(order.fulfilmentRedrives).toEqual({ count: DEFAULT_DEADLINES.maxRedrives + 1, giveUp: true });
    expect(timelineOf(order).at(-1)).toMatchObject({ amendment: 'FULFILMENT_REDRIVEN', event: { detailType: 'OrderFulfilmentRedriven' } });
  });

  it('is refused for an order out of flight', () => {
    expect(() => redrive(orderThrough(placed(), 'SHIPMENT_REQUESTED'), at(1000), DEFAULT_DEADLINES)).toThrow(/not in flight/);
  });
});

describe("an operator's retry of a FAILED order", () => {
  const operator = { kind: 'operator', id: 'ops-support' } as const;
  const failed = () => orderThrough(placed(), 'FAILED');

  it('starts it again from PLACED as a re-drive, clearing the failure and the old route, with who did it', () => {
    const before = failed();
    const after = redriveFailed(before, at(5000), operator);
    expect(after).toMatchObject({ status: 'PLACED', version: before.version + 1, fulfilmentRedrives: { count: 1 } });
    expect(after.failureReason).toBeUndefined();
    expect(after.route).toBeUndefined();
    expect(after.history.at(-1)).toMatchObject({
      from: 'FAILED',
      to: 'PLACED',
      amendment: 'FULFILMENT_REDRIVEN',
      by: operator,
      changed: [
        { field: 'fulfilmentRedrives.count', from: 0, to: 1 },
        { field: 'failureReason', from: 'CarrierUnavailable', to: null },
        { field: 'route' },
      ],
    });
    // In flight again, with a fresh deadline from the retry.
    expect(inFlightSince(after)).toBe(at(5000));
    expect(deadlineOf(after, DEFAULT_DEADLINES)).toBe(at(5000 + DEFAULT_DEADLINES.seconds.PLACED));
  });

  it('publishes OrderFulfilmentRedriven from FAILED to PLACED, which the published schema allows', () => {
    const event = orderEventOf(redriveFailed(failed(), at(5000), operator));
    expect(event).toMatchObject({ type: 'OrderFulfilmentRedriven', previousStatus: 'FAILED', status: 'PLACED', data: { redrive: { count: 1 } } });
    expect(event.data).not.toHaveProperty('reason');
    expect(event.data).not.toHaveProperty('route');
  });

  it('clears a give-up left by the reconciler: the operator is the judgement it lacked', () => {
    const givenUp = { ...failed(), fulfilmentRedrives: { count: 4, giveUp: true } };
    expect(redriveFailed(givenUp, at(5000), operator).fulfilmentRedrives).toEqual({ count: 5 });
  });

  it('refuses an order whose personal data was erased, and one that did not fail', () => {
    const erased = { ...failed(), personalDataErasedAt: at(4000) };
    expect(() => redriveFailed(erased, at(5000), operator)).toThrow(NotRetryable);
    for (const status of ORDER_STATUSES.filter((s) => s !== 'FAILED')) {
      expect(() => redriveFailed(orderThrough(placed(), status), at(5000), operator)).toThrow(/has not failed/);
    }
  });
});

