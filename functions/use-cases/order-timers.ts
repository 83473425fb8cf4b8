/**
 * One-time timers of orders (docs/decisions/0005-hold-window-and-timers.md): creating the schedules an
 * order needs, and running a timer once it is due. Both read the order first and decide from it alone
 * (`timersOf`), so a timer that comes late, twice, or after the order moved on changes nothing.
 */
import { redrive } from '../domain/deadlines.ts';
import { HOLD_WINDOW, type Order } from '../domain/order.ts';
import { holdWindowEnd, isDue, timersOf, type DueTimer, type TimerKind } from '../domain/order-timers.ts';
import type { Dependencies } from './dependencies.ts';
import type { OrderRepository } from './ports.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';
import { expireOverduePayment } from './expire-payments.ts';

/** What running a timer needs: the reconciler runs them too, with what it has. */
export type FireDependencies = Pick<Dependencies, 'fulfilment' | 'deadlines' | 'now'> & { orders: Pick<OrderRepository, 'get' | 'getReservation' | 'commit'> };
export type TimerDependencies = FireDependencies & Pick<Dependencies, 'timers'>;

/** What running a timer came to: `done` changed the order; `nothing` found nothing left to do (early, late, twice). */
export type TimerOutcome = 'done' | 'nothing';

/**
 * Creates the schedules the order needs now (called from its events: see lib/order-timers.ts). A timer
 * already due runs at once instead: a schedule in the past is no schedule.
 */
export async function scheduleOrderTimers(deps: TimerDependencies, orderId: string): Promise<void> {
  const order = await deps.orders.get(orderId);
  if (!order) return;
  for (const timer of timersOf(order)) {
    if (isDue(timer, deps.now())) await fireOrderTimer(deps, timer);
    else await deps.timers.schedule(timer);
  }
}

/** Runs a due timer; what it does depends on its kind. */
export function fireOrderTimer(deps: FireDependencies, timer: DueTimer): Promise<TimerOutcome> {
  return TIMER_ACTIONS[timer.kind](deps, timer.orderId);
}

const TIMER_ACTIONS: Record<TimerKind, (deps: FireDependencies, orderId: string) => Promise<TimerOutcome>> = {
  'release-hold': endHoldWindow,
  // Cancels the order PAYMENT_TIMEOUT, stock given back, unless a payment or cancel came first.
  'payment-timeout': async (deps, orderId) => ((await expireOverduePayment(deps, orderId)) ? 'done' : 'nothing'),
};

/**
 * Ends the order's hold window once its end has come: the release of ADR 0004 by the system (the same
 * re-drive, guarded on the version read, then an execution that resumes at the shipment request). An
 * order no longer in its window (an operator released or held it, it was cancelled) is left alone.
 */
export async function endHoldWindow(deps: FireDependencies, orderId: string): Promise<TimerOutcome> {
  return retryOnConflict(`Order ${orderId} kept changing while ending its hold window`, async () => {
    const order = await deps.orders.get(orderId);
    const until = order && holdWindowEnd(order);
    if (!order || !until || !isDue({ at: until }, deps.now())) return 'nothing';
    const after = redrive(order, deps.now(), deps.deadlines, HOLD_WINDOW);
    if (!(await deps.orders.commit({ order: { before: order, after } })).ok) return CONFLICT;
    // Should the start fail, the order is in flight and not held: the reconciler re-drives it after its deadline.
    await deps.fulfilment.start(orderId, after.fulfilmentRedrives!.count);
    return 'done';
  });
}

/** Whether the reconciler should run the order's timers rather than re-drive it: it is waiting for one. */
export function waitsForTimer(order: Order): boolean {
  return timersOf(order).length > 0;
}
