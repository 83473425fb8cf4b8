/**
 * Scheduling and running order timers (functions/use-cases/order-timers.ts) against fakes: a window's timer
 * is scheduled from the order, runs only once its end has come, releases the order once (a repeat, an
 * early run or a run after an operator's hold changes nothing), and a timer already due runs at once.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINES } from '../../functions/domain/deadlines.ts';
import { holdOrder, placeOrder, startHoldWindow, transition, type Order } from '../../functions/domain/order.ts';
import type { OrderTimer } from '../../functions/domain/order-timers.ts';
import { endHoldWindow, scheduleOrderTimers, type TimerDependencies } from '../../functions/use-cases/order-timers.ts';
import { orderRequest } from '../fixtures/orders.ts';

function fakes(order: Order, now: string) {
  const state = { order, now, scheduled: [] as OrderTimer[], started: [] as Array<[string, number]> };
  const deps: TimerDependencies = {
    orders: {
      get: async () => state.order,
      getReservation: async () => undefined,
      commit: async ({ order: { before, after } }) => {
        if (before.version !== state.order.version) return { ok: false, reason: 'OrderChanged' };
        if (after) state.order = after;
        return { ok: true };
      },
    },
    fulfilment: { start: async (orderId, attempt) => void state.started.push([orderId, attempt]) },
    deadlines: DEFAULT_DEADLINES,
    timers: { schedule: async (timer) => void state.scheduled.push(timer), cancel: async () => undefined },
    now: () => state.now,
  };
  return { state, deps };
}

function windowed(): Order {
  let order = placeOrder(orderRequest(), '01JTIMERS00000000000000000', '2026-12-04T10:00:00.000Z');
  order = transition(order, 'STOCK_LOCKED', '2026-12-04T10:00:00.100Z');
  order = transition(order, 'ROUTED', '2026-12-04T10:00:00.200Z', { route: { parcels: [] } as unknown as Order['route'] });
  return startHoldWindow(order, '2026-12-04T10:00:01.000Z', 120);
}

describe('order timers', () => {
  it("schedules the window's end, and runs a timer already due at once instead", async () => {
    const { state, deps } = fakes(windowed(), '2026-12-04T10:00:02.000Z');
    await scheduleOrderTimers(deps, state.order.orderId);
    expect(state.scheduled).toEqual([{ orderId: state.order.orderId, kind: 'release-hold', at: '2026-12-04T10:02:01.000Z' }]);
    state.now = '2026-12-04T10:05:00.000Z';
    await scheduleOrderTimers(deps, state.order.orderId);
    expect(state.scheduled).toHaveLength(1);
    expect(state.order.hold).toBeUndefined();
    expect(state.started).toEqual([[state.order.orderId, 1]]);
  });

  it('releases the order once its end has come, once; early or repeated runs change nothing', async () => {
    const { state, deps } = fakes(windowed(), '2026-12-04T10:01:00.000Z');
    expect(await endHoldWindow(deps, state.order.orderId)).toBe('nothing');
    state.now = '2026-12-04T10:02:01.000Z';
    expect(await endHoldWindow(deps, state.order.orderId)).toBe('done');
    expect(state.order).toMatchObject({ status: 'ROUTED', fulfilmentRedrives: { count: 1 } });
    expect(state.order.history.at(-1)).toMatchObject({ amendment: 'FULFILMENT_REDRIVEN', by: { kind: 'step', id: 'HoldWindow' } });
    expect(await endHoldWindow(deps, state.order.orderId)).toBe('nothing');
    expect(state.started).toHaveLength(1);
  });

  it("leaves an order an operator held during the window to the operator", async () => {
    const held = holdOrder(windowed(), '2026-12-04T10:00:30.000Z', { kind: 'operator', id: 'ops' });
    const { state, deps } = fakes(held, '2026-12-04T10:03:00.000Z');
    expect(await endHoldWindow(deps, held.orderId)).toBe('nothing');
    expect(state.order.hold).toMatchObject({ by: { kind: 'operator' } });
    expect(state.started).toEqual([]);
  });
});
