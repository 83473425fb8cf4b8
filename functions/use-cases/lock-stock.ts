/** The LockStock step and its compensation, ReleaseStock (the rules every step keeps: fulfilment-step.ts). */
import { OutOfStock } from '../domain/errors.ts';
import { transition } from '../domain/order.ts';
import { awaitsPayment, locksStockBeforePayment, stockLockedAwaitingPayment } from '../domain/payment.ts';
import { aggregateLines, homeLocks, lockMoves, releaseReservationMoves, spreadLocks, type ShardQuantity } from '../domain/stock.ts';
import { capacityRelease } from './capacity-counts.ts';
import type { StepDependencies } from './dependencies.ts';
import { compensable, closing, isPast, load, markOnly, refuse, requireOpen, step, type CompensationResult, type StepResult } from './fulfilment-step.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

/**
 * Reserves available-to-promise for every line, all or nothing. The first try
 * locks each SKU in the order's home shard without reading stock; when a shard is
 * short, the step reads every shard and spreads the lines over those with stock.
 */
export async function lockStock(deps: StepDependencies, orderId: string): Promise<StepResult> {
  let spread = false;
  return retryOnConflict(`Order ${orderId} kept changing while locking stock`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'STOCK_LOCKED')) return { orderId, status: order.status };
    // Awaiting payment: locked now only when its channel locks at placement (and not yet); the
    // authorization's event starts the execution that goes on (domain/payment.ts).
    const pending = awaitsPayment(order);
    if (pending && !locksStockBeforePayment(order)) return { orderId, status: order.status };
    if (!pending) requireOpen(order, 'PLACED', 'STOCK_LOCKED');
    const lines = aggregateLines(order.lines);
    const skus = lines.map((line) => line.sku);
    let locks: ShardQuantity[];
    try {
      locks = spread
        ? spreadLocks(orderId, lines, await deps.stock.getMany(skus))
        : homeLocks(orderId, lines, await deps.stock.shardCounts(skus));
    } catch (error) {
      if (error instanceof OutOfStock) return refuse(deps, order, error, 'OUT_OF_STOCK');
      throw error;
    }
    const after = pending
      ? stockLockedAwaitingPayment(order, deps.now(), step('LockStock'))
      : transition(order, 'STOCK_LOCKED', deps.now(), {}, undefined, step('LockStock'));
    const outcome = await deps.orders.commit({
      order: { before: order, after },
      reservation: { put: { orderId, state: 'LOCKED', lines, locks } },
      stock: lockMoves(locks),
    });
    if (outcome.ok) return { orderId, status: after.status };
    spread ||= outcome.reason === 'StockShort';
    return CONFLICT;
  });
}

/** Gives everything the order still holds back to available-to-promise, exactly as the reservation holds it now. */
export async function releaseStock(deps: StepDependencies, orderId: string): Promise<CompensationResult> {
  return retryOnConflict(`Reservation of ${orderId} kept changing while releasing it`, async () => {
    const order = await load(deps, orderId);
    if (!compensable(order)) return { orderId, undone: false };
    const reservation = await deps.orders.getReservation(orderId);
    if (!reservation) return (await markOnly(deps, order)) ? { orderId, undone: false } : CONFLICT;
    const outcome = await deps.orders.commit({
      order: closing(order),
      reservation: { delete: reservation.revision },
      stock: releaseReservationMoves(reservation),
      capacity: capacityRelease(reservation),
    });
    return outcome.ok ? { orderId, undone: true } : CONFLICT;
  });
}
