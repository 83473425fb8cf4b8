/**
 * What every fulfilment step of the workflow shares (each step is its own use case:
 * lock-stock.ts, route-order.ts, request-shipment.ts, close-order.ts, each with its
 * compensation beside it). Express executions are at-least-once, and
 * every step may be retried, so each step reads, decides with the pure domain and commits
 * guarded on exactly what it read; when the order moved on meanwhile it reads again and
 * decides again. The rules (ADR 0001 lists them with the guards enforcing them):
 * - a business refusal (OutOfStock, NoRoute) is recorded on the order version it was
 *   decided on, as the order's closing mark, before it is raised, so it is never raised
 *   from a stale read;
 * - the first compensation step marks an open order as closing, in the same write as its
 *   undo; from then on no forward step or amendment can commit, and each undo is guarded on
 *   the exact content it undoes (the order's version, the reservation's revision);
 * - CloseOrder closes only an order whose closing mark stands on its current version.
 */
import { DomainError, IllegalTransition, NoRoute, OrderCancelled, OrderCompensating, OrderNotFound, OutOfStock, Stranded } from '../domain/errors.ts';
import {
  SHIPMENT_STATUSES,
  isFinal,
  markClosing,
  standingClosing,
  type Order,
  type OrderStatus,
  type RejectionReason,
  type Actor,
} from '../domain/order.ts';
import { aggregateLines } from '../domain/stock.ts';
import type { StepDependencies } from './dependencies.ts';
import type { OrderChange } from './ports.ts';
import { CONFLICT } from './retry-on-conflict.ts';

/** A workflow step, as the order's audit trail names it: the state's name in the state machine. */
export const step = (name: string): Actor => ({ kind: 'step', id: name });

const STATUS_ORDER: OrderStatus[] = ['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];

/** True when the order has already moved past `status` on the happy path (a replayed step). */
export function isPast(order: Order, status: OrderStatus): boolean {
  const at = STATUS_ORDER.indexOf(order.status);
  return at >= 0 && at >= STATUS_ORDER.indexOf(status);
}

export async function load(deps: StepDependencies, orderId: string): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new OrderNotFound(orderId);
  return order;
}

/** The refusal recorded on the order, raised again by a replayed or duplicate step. */
const RECORDED_REFUSALS: Record<RejectionReason, (order: Order) => DomainError> = {
  OUT_OF_STOCK: (order) => new OutOfStock(aggregateLines(order.lines).map((line) => line.sku)),
  NO_ROUTE: (order) => new NoRoute(`Nothing can serve order ${order.orderId}`),
};

/**
 * The order must be in `from`, and open, to take the step: a cancelled order stops the
 * workflow, a recorded refusal is raised again, and compensation begun elsewhere stops this one too.
 * So does an order the reconciler gave up on (ADR 0002), so the workflow compensates from this step.
 */
export function requireOpen(order: Order, from: OrderStatus, to: OrderStatus): void {
  if (order.status === 'CANCELLED') throw new OrderCancelled(`Order ${order.orderId} was cancelled`);
  const closing = standingClosing(order);
  if (closing?.rejectionReason) throw RECORDED_REFUSALS[closing.rejectionReason](order);
  if (closing) throw new OrderCompensating(`Order ${order.orderId} is being compensated`);
  if (order.status !== from) throw new IllegalTransition(order.status, to);
  if (order.fulfilmentRedrives?.giveUp) throw new Stranded(`Order ${order.orderId} missed its deadline after every re-drive`);
}

/**
 * Records a business refusal on the version of the order it was decided on, then raises it.
 * If the order moved on since it was read, the refusal may no longer hold: decide again.
 */
export async function refuse(
  deps: StepDependencies,
  order: Order,
  refusal: OutOfStock | NoRoute,
  reason: RejectionReason,
  changes: Parameters<typeof markClosing>[2] = {},
): Promise<typeof CONFLICT> {
  const outcome = await deps.orders.commit({ order: { before: order, after: markClosing(order, reason, changes) } });
  if (outcome.ok) throw refusal;
  return CONFLICT;
}

export interface StepResult {
  orderId: string;
  status: OrderStatus;
}

export interface CompensationResult {
  orderId: string;
  undone: boolean;
}

/** Compensation leaves alone an order that holds a shipment (another execution got it recorded) or is closed. */
export const compensable = (order: Order) => !SHIPMENT_STATUSES.includes(order.status) && !isFinal(order.status);

/** The order part of a compensating write: its closing mark, unless the mark already stands (then only checked). */
export function closing(order: Order): OrderChange['order'] {
  return standingClosing(order) ? { before: order } : { before: order, after: markClosing(order) };
}

/** Marks the order as closing when nothing else is to be written; false when it changed since it was read. */
export async function markOnly(deps: StepDependencies, order: Order): Promise<boolean> {
  const part = closing(order);
  return !part.after || (await deps.orders.commit({ order: part })).ok;
}
