/**
 * One-time timers of an order: what must happen to it at a given time if nothing else happened first
 * (docs/decisions/0005-hold-window-and-timers.md). Pure: the order's own fields say which timers it needs,
 * so whoever creates the schedules, and the reconciler that backs them up, decide from the order alone.
 */
import { HOLDABLE_STATUSES, type Order } from './order.ts';
import { paymentDueAt } from './payment.ts';

/**
 * `release-hold`: the end of a hold window (the shipment request may go out);
 * `payment-timeout`: the end of the wait for a pending payment.
 */
export const TIMER_KINDS = ['release-hold', 'payment-timeout'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export interface OrderTimerKey {
  orderId: string;
  kind: TimerKind;
}

export interface OrderTimer extends OrderTimerKey {
  /** When it is due (ISO 8601); the scheduler may run it up to a minute later. */
  at: string;
}

/** What a timer's target receives: which order and which timer, nothing personal. */
export type DueTimer = OrderTimerKey;

/**
 * The schedule's name: the same for every attempt to create it, so a retried create meets the first one
 * (ConflictException) instead of making a second. Order ids are ULIDs, so this stays within Scheduler's
 * 64 characters of `[0-9a-zA-Z-_.]`.
 */
export function timerName({ orderId, kind }: OrderTimerKey): string {
  return `${kind}-${orderId}`;
}

/**
 * The events after which an order may need a timer: the rule that creates timers listens to these only
 * (lib/order-timers.ts). An OrderHeld opens a hold window; the payment gate adds its own.
 */
export const TIMER_EVENT_TYPES = ['OrderHeld'] as const;

/** The order's hold window's end, while it is in one: a hold with an end (order.ts `startHoldWindow`), before the shipment request. */
export function holdWindowEnd(order: Pick<Order, 'hold' | 'status'>): string | undefined {
  return HOLDABLE_STATUSES.includes(order.status) ? order.hold?.until : undefined;
}

/** The timers the order needs now: its hold window's end, or the end of its wait for payment (domain/payment.ts). */
export function timersOf(order: Order): OrderTimer[] {
  const until = holdWindowEnd(order);
  const paymentDue = paymentDueAt(order);
  return [
    ...(until ? [{ orderId: order.orderId, kind: 'release-hold' as const, at: until }] : []),
    ...(paymentDue ? [{ orderId: order.orderId, kind: 'payment-timeout' as const, at: paymentDue }] : []),
  ];
}

/** Whether `timer` is due at `now`. */
export function isDue(timer: Pick<OrderTimer, 'at'>, now: string): boolean {
  return Date.parse(timer.at) <= Date.parse(now);
}
