/**
 * Deadlines of an order in flight, and the re-drive that moves a stranded one on. Pure: no
 * I/O, no clock (callers pass `now`).
 *
 * An order is in flight from PLACED until the workflow hands it to a carrier (SHIPMENT_REQUESTED)
 * or closes it. Each in-flight status has a deadline counted from when the order entered it (or
 * was last re-driven); an order past it is stranded: its execution died, timed out or never
 * started. The reconciler re-drives it from where it stands, and after `maxRedrives` gives up:
 * the next step compensates and closes it as FAILED (see docs/decisions/0002-self-healing-fulfilment.md).
 */
import { NotRetryable } from './errors.ts';
import { audit, changedFields, RECONCILER, type Actor, type FieldChange, type Order, type OrderStatus, type Transition } from './order.ts';

export const IN_FLIGHT_STATUSES = ['PLACED', 'STOCK_LOCKED', 'ROUTED'] as const satisfies readonly OrderStatus[];
export type InFlightStatus = (typeof IN_FLIGHT_STATUSES)[number];

export interface DeadlineSettings {
  /** Seconds an order may stay in each in-flight status before it counts as stranded. */
  readonly seconds: Readonly<Record<InFlightStatus, number>>;
  /** Re-drives before the reconciler gives up on an order. */
  readonly maxRedrives: number;
}

/**
 * A healthy order leaves each status within a second; an Express execution lives at most five
 * minutes, so an order older than that in STOCK_LOCKED or ROUTED has no execution left that
 * could still move it. PLACED waits for EventBridge to start the execution (its retries with
 * backoff take up to about two minutes for a first few failures).
 */
export const DEFAULT_DEADLINES: DeadlineSettings = {
  seconds: { PLACED: 120, STOCK_LOCKED: 300, ROUTED: 300 },
  maxRedrives: 3,
};

export function isInFlight(status: OrderStatus): status is InFlightStatus {
  return (IN_FLIGHT_STATUSES as readonly OrderStatus[]).includes(status);
}

const addSeconds = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();

/** When the order entered its status or was last re-driven, whichever is later. */
export function clockStartedAt(order: Order): string {
  const last = [...order.history].reverse().find((entry: Transition) => !entry.amendment || entry.amendment === 'FULFILMENT_REDRIVEN');
  return last?.at ?? order.placedAt;
}

/**
 * How long after its end a hold window may stay unreleased before the reconciler releases it: its timer
 * runs within a minute of the end (EventBridge Scheduler's precision), so only a lost timer gets this far.
 */
export const HOLD_WINDOW_GRACE_SECONDS = 60;

/**
 * By when the order must leave its status; undefined when it is not in flight, or held by an operator (it
 * waits for them). In a hold window: shortly after the window's end, so a lost timer delays the order but
 * never strands it (the reconciler releases it, functions/use-cases/order-timers.ts).
 */
export function deadlineOf(order: Order, settings: DeadlineSettings): string | undefined {
  if (!isInFlight(order.status)) return undefined;
  if (order.hold) return order.hold.until ? addSeconds(order.hold.until, HOLD_WINDOW_GRACE_SECONDS) : undefined;
  return addSeconds(clockStartedAt(order), settings.seconds[order.status]);
}

/** Seconds past the deadline (0 when not overdue or not in flight). */
export function overdueSeconds(order: Order, now: string, settings: DeadlineSettings): number {
  const deadline = deadlineOf(order, settings);
  if (!deadline) return 0;
  return Math.max(0, (Date.parse(now) - Date.parse(deadline)) / 1000);
}

/**
 * Since when the order has been in flight without a re-drive (placement or the last re-drive),
 * or undefined once it is out of flight. It does not move on a healthy transition, so keeping
 * it in the reconciler's index costs one index write when the order enters flight and one when
 * it leaves; the reconciler reads orders in flight longer than the shortest deadline and skips
 * those not past their own status's deadline. An operator's hold takes the order out of the index.
 */
export function inFlightSince(order: Order): string | undefined {
  if (!isInFlight(order.status)) return undefined;
  // A hold window is in the index from its end: the reconciler reads it only once it could be overdue.
  if (order.hold) return order.hold.until;
  const lastRedrive = [...order.history].reverse().find((entry) => entry.amendment === 'FULFILMENT_REDRIVEN');
  // The placement entry, not `placedAt`: a queued order's clock starts when it landed (order.ts `landedAt`).
  return lastRedrive?.at ?? order.history[0]?.at ?? order.placedAt;
}

/** Orders in flight since before this may be overdue; later ones cannot be. */
export function overdueCutoff(now: string, settings: DeadlineSettings): string {
  return addSeconds(now, -Math.min(...Object.values(settings.seconds)));
}

/**
 * The order re-driven: a recorded change (version, history entry, its own event and timeline
 * entry) that also restarts its deadline and, stored with a condition on the version read,
 * leases the order to this reconciler: a concurrent reconciler or a step of a live execution
 * that wrote first makes this write fail, and the order is left to whoever moved it. An
 * operator's retry or release is the same re-drive, by them: it also ends a hold.
 */
export function redrive(order: Order, now: string, settings: DeadlineSettings, by: Actor = RECONCILER): Order {
  if (!isInFlight(order.status)) throw new Error(`Order ${order.orderId} is not in flight (${order.status})`);
  const count = (order.fulfilmentRedrives?.count ?? 0) + 1;
  // The reconciler gives up after its re-drives; an operator asking for one is the judgement it lacks.
  const giveUp = by.kind === 'reconciler' && count > settings.maxRedrives;
  const reason = giveUp ? `stranded after ${count - 1} re-drives: compensate and fail` : order.hold ? `released, re-drive ${count}` : `re-drive ${count}`;
  return redriven(order, order.status, now, by, reason, giveUp);
}

/**
 * A FAILED order re-driven by an operator (docs/decisions/0004-operator-actions.md): the one way
 * out of a final status. Compensation gave back everything the order held (CloseOrder runs only
 * after ReleaseStock), so it starts again from PLACED: the same FULFILMENT_REDRIVEN change as any
 * re-drive, guarded on the version read, with the failure, the closing mark and the old route
 * cleared (the history keeps them). An order whose personal data was erased has no address left
 * to ship to, so it stays FAILED.
 */
export function redriveFailed(order: Order, now: string, by: Actor): Order {
  if (order.status !== 'FAILED') throw new Error(`Order ${order.orderId} has not failed (${order.status})`);
  if (order.personalDataErasedAt) {
    throw new NotRetryable(order.status, "The customer's personal data was erased from this order: there is no address left to ship it to");
  }
  const count = (order.fulfilmentRedrives?.count ?? 0) + 1;
  const { failureReason: _failure, closing: _closing, route: _route, routingExplanation: _explanation, ...open } = order;
  const cleared = changedFields(order, { failureReason: undefined, route: undefined, routingExplanation: undefined });
  return redriven(open, 'PLACED', now, by, `retry of the failed order (${order.failureReason ?? 'no reason'}), re-drive ${count}`, false, cleared);
}

/** The re-drive's version and history entry, moving the order to `to` (its own status, but for a FAILED order). */
function redriven(order: Order, to: OrderStatus, now: string, by: Actor, reason: string, giveUp: boolean, cleared: FieldChange[] = []): Order {
  const count = (order.fulfilmentRedrives?.count ?? 0) + 1;
  const { hold, ...unheld } = order;
  const entry: Transition = {
    from: order.status,
    to,
    at: now,
    amendment: 'FULFILMENT_REDRIVEN',
    reason,
    ...audit(by, [
      { field: 'fulfilmentRedrives.count', from: count - 1, to: count },
      ...(hold ? [{ field: 'hold', from: true, to: false }] : []),
      ...cleared,
    ]),
  };
  return {
    ...unheld,
    status: to,
    fulfilmentRedrives: { count, ...(giveUp ? { giveUp } : {}) },
    version: order.version + 1,
    updatedAt: now,
    history: [...order.history, entry],
  };
}
