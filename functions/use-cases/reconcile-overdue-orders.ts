/**
 * Finds orders stranded in flight and moves them on: each overdue order is re-driven (its
 * workflow started again; the steps skip what is done and resume where it stands), and after
 * the last re-drive allowed, the next step fails with Stranded so the workflow compensates and
 * closes it as FAILED. An order waiting for a timer whose schedule was lost (a hold window past its end)
 * gets its timer run instead. Runs every minute; safe to run twice at once (see `redrive`).
 */
import { DEFAULT_DEADLINES, type DeadlineSettings, overdueCutoff, overdueSeconds, redrive } from '../domain/deadlines.ts';
import { isDue, timersOf } from '../domain/order-timers.ts';
import { fireOrderTimer } from './order-timers.ts';
import type { FulfilmentStarter, InFlightOrders, OrderRepository } from './ports.ts';
import { expireOverduePayments } from './expire-payments.ts';

export interface ReconcileDependencies {
  orders: Pick<OrderRepository, 'get' | 'getReservation' | 'commit'>;
  inFlight: InFlightOrders;
  fulfilment: FulfilmentStarter;
  now: () => string;
  settings?: DeadlineSettings;
}

export interface ReconcileReport {
  /** Orders in flight longer than the shortest deadline. */
  checked: number;
  /** Of those, past their deadline. */
  overdue: number;
  /** Re-driven to move on. */
  redriven: number;
  /** Re-driven to be compensated and closed, after every re-drive allowed. */
  givenUp: number;
  /** Re-driven orders that had been re-driven before: a healthy pipeline has none. */
  repeated: number;
  /** How far past its deadline the most overdue order was. */
  maxOverdueSeconds: number;
  /** Overdue orders left alone because something else wrote them first (a live step, another reconciler). */
  skipped: number;
  /** Orders awaiting a payment past its due time, cancelled PAYMENT_TIMEOUT (expire-payments.ts). */
  paymentsTimedOut: number;
  /** Orders whose timer was due and had not run (a lost schedule): run now instead. */
  timersRun: number;
}

/** Orders handled at once: enough to clear a backlog within the minute, few enough not to throttle. */
const CONCURRENCY = 8;

export async function reconcileOverdueOrders(deps: ReconcileDependencies): Promise<ReconcileReport> {
  const settings = deps.settings ?? DEFAULT_DEADLINES;
  const now = deps.now();
  const report: ReconcileReport = { checked: 0, overdue: 0, redriven: 0, givenUp: 0, repeated: 0, maxOverdueSeconds: 0, skipped: 0, timersRun: 0, paymentsTimedOut: 0 };

  const reconcile = async (orderId: string): Promise<void> => {
    report.checked++;
    const order = await deps.orders.get(orderId);
    if (!order) return;
    const overdue = overdueSeconds(order, now, settings);
    if (overdue <= 0) return;
    report.overdue++;
    report.maxOverdueSeconds = Math.max(report.maxOverdueSeconds, overdue);
    // Waiting for a timer (a hold window's end) that should have run: run it, the backstop of its schedule.
    const dueTimers = timersOf(order).filter((timer) => isDue(timer, now));
    if (dueTimers.length > 0) {
      for (const timer of dueTimers) {
        if ((await fireOrderTimer({ ...deps, deadlines: settings }, timer)) === 'done') report.timersRun++;
      }
      return;
    }
    const after = redrive(order, now, settings);
    const outcome = await deps.orders.commit({ order: { before: order, after } });
    if (!outcome.ok) {
      report.skipped++;
      return;
    }
    const { count, giveUp } = after.fulfilmentRedrives!;
    if (giveUp) report.givenUp++;
    else report.redriven++;
    if (count > 1) report.repeated++;
    // A failure to start leaves the order re-driven but idle: its clock restarted, so the next
    // run finds it again after its deadline and re-drives it once more.
    await deps.fulfilment.start(orderId, count);
  };

  let batch: Promise<void>[] = [];
  for await (const orderId of deps.inFlight.inFlightSince(overdueCutoff(now, settings))) {
    batch.push(reconcile(orderId));
    if (batch.length === CONCURRENCY) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  // The backstop of the payment timeout: orders awaiting payment are not in flight, so no re-drive touches them.
  report.paymentsTimedOut = (await expireOverduePayments(deps)).timedOut;
  return report;
}
