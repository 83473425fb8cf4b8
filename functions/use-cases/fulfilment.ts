/**
 * The fulfilment steps the workflow runs. Each is idempotent: Express executions
 * are at-least-once, and every step may be retried. Forward steps change the order's
 * status and its stock in one transaction; compensation undoes a step only while no
 * shipment stands for the order, so a late duplicate execution cannot undo a live order.
 */
import { DomainError, IllegalTransition, OrderCancelled, OrderNotFound, TransientError } from '../domain/errors.ts';
import { SHIPMENT_STATUSES, isFinal, transition, type Order, type OrderStatus, type RejectionReason } from '../domain/order.ts';
import { planRoute } from '../domain/routing.ts';
import {
  aggregateLines,
  allocateMoves,
  lockMoves,
  releaseAllocationMoves,
  releaseReservationMoves,
} from '../domain/stock.ts';
import { OutOfStock } from '../domain/errors.ts';
import { StaleOrder } from '../store/order-store.ts';
import type { Dependencies } from './dependencies.ts';

/** Attempts at a step when a concurrent writer changed the order or its stock between read and write. */
const ATTEMPTS = 4;

const STATUS_ORDER: OrderStatus[] = ['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];

/** True when the order has already moved past `status` on the happy path (a replayed step). */
function isPast(order: Order, status: OrderStatus): boolean {
  const at = STATUS_ORDER.indexOf(order.status);
  return at >= 0 && at >= STATUS_ORDER.indexOf(status);
}

async function load(deps: Dependencies, orderId: string): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new OrderNotFound(orderId);
  return order;
}

/** The order must be in `from` to take the step; a cancelled order stops the workflow. */
function requireStatus(order: Order, from: OrderStatus, to: OrderStatus): void {
  if (order.status === 'CANCELLED') throw new OrderCancelled(`Order ${order.orderId} was cancelled`);
  if (order.status !== from) throw new IllegalTransition(order.status, to);
}

export interface StepResult {
  orderId: string;
  status: OrderStatus;
}

/** Reserves available-to-promise for every line, all or nothing. */
export async function lockStock(deps: Dependencies, orderId: string): Promise<StepResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'STOCK_LOCKED')) return { orderId, status: order.status };
    requireStatus(order, 'PLACED', 'STOCK_LOCKED');
    const lines = aggregateLines(order.lines);
    const after = transition(order, 'STOCK_LOCKED', deps.now());
    const result = await deps.orders.transact([
      deps.orders.transitionItem(order, after),
      deps.orders.putReservationItem({ orderId, state: 'LOCKED', lines }),
      ...lockMoves(lines).map((move) => deps.stock.moveItem(move)),
    ]);
    if (result.ok) return { orderId, status: after.status };
    const short = lines.filter((_, i) => result.codes[i + 2] === 'ConditionalCheckFailed').map((line) => line.sku);
    if (short.length > 0 && result.codes[0] === 'None') throw new OutOfStock(short);
  }
  throw new TransientError(`Order ${orderId} kept changing while locking stock`);
}

export interface RouteResult extends StepResult {
  warehouseId: string;
  carrier: string;
  serviceLevel: string;
}

/** Picks a warehouse and turns the lock into allocations there. */
export async function routeOrder(deps: Dependencies, orderId: string): Promise<RouteResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'ROUTED') && order.route) {
      const { warehouseId, carrier, serviceLevel } = order.route;
      return { orderId, status: order.status, warehouseId, carrier, serviceLevel };
    }
    requireStatus(order, 'STOCK_LOCKED', 'ROUTED');
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'LOCKED') throw new DomainError(`Order ${orderId} holds no stock lock to route`);
    const stock = await deps.stock.getMany(reservation.lines.map((line) => line.sku));
    const plan = planRoute(reservation.lines, stock, order.deliveryPreference);
    const after = transition(order, 'ROUTED', deps.now(), { route: plan });
    const result = await deps.orders.transact([
      deps.orders.transitionItem(order, after),
      deps.orders.putReservationItem({ ...reservation, state: 'ALLOCATED', allocations: plan.allocations }, 'LOCKED'),
      ...allocateMoves(plan.allocations).map((move) => deps.stock.moveItem(move)),
    ]);
    if (result.ok) {
      return { orderId, status: after.status, warehouseId: plan.warehouseId, carrier: plan.carrier, serviceLevel: plan.serviceLevel };
    }
    // Either the order changed or another order took the warehouse's free stock first: decide again.
  }
  throw new TransientError(`Order ${orderId} kept changing while routing`);
}

export interface ShipmentResult extends StepResult {
  carrier: string;
  trackingNumber: string;
}

/** Asks the carrier for a shipment, then records it; a cancel that won the race stops here. */
export async function requestShipment(deps: Dependencies, orderId: string): Promise<ShipmentResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'SHIPMENT_REQUESTED') && order.shipment) return { orderId, status: order.status, ...order.shipment };
    requireStatus(order, 'ROUTED', 'SHIPMENT_REQUESTED');
    if (!order.route) throw new DomainError(`Order ${orderId} is ROUTED without a route`);
    const shipment = await deps.carrier.requestShipment({ orderId, plan: order.route });
    const after = transition(order, 'SHIPMENT_REQUESTED', deps.now(), { shipment });
    const result = await deps.orders.transact([
      deps.orders.transitionItem(order, after),
      deps.orders.reservationCheck(orderId, 'ALLOCATED'),
    ]);
    if (result.ok) return { orderId, status: after.status, ...shipment };
  }
  throw new TransientError(`Order ${orderId} kept changing while requesting the shipment`);
}

export interface CompensationResult {
  orderId: string;
  undone: boolean;
}

/** Cancels the carrier request unless the order holds the shipment (another execution got it recorded). */
export async function cancelShipment(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  const order = await load(deps, orderId);
  if (SHIPMENT_STATUSES.includes(order.status)) return { orderId, undone: false };
  const carrier = order.route?.carrier;
  if (!carrier) return { orderId, undone: false };
  await deps.carrier.cancelShipment({ orderId, carrier });
  return { orderId, undone: true };
}

/** Gives warehouse allocations back to the network-wide lock. */
export async function releaseAllocation(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'ALLOCATED') return { orderId, undone: false };
    const allocations = reservation.allocations ?? [];
    const result = await deps.orders.transact([
      deps.orders.notShippedCheck(orderId, SHIPMENT_STATUSES),
      deps.orders.putReservationItem({ orderId, state: 'LOCKED', lines: reservation.lines }, 'ALLOCATED'),
      ...releaseAllocationMoves(allocations).map((move) => deps.stock.moveItem(move)),
    ]);
    if (result.ok) return { orderId, undone: true };
    if (result.codes[0] === 'ConditionalCheckFailed') return { orderId, undone: false };
  }
  throw new TransientError(`Reservation of ${orderId} kept changing while releasing its allocation`);
}

/** Gives everything the order still holds back to available-to-promise. */
export async function releaseStock(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const reservation = await deps.orders.getReservation(orderId);
    if (!reservation) return { orderId, undone: false };
    const result = await deps.orders.transact([
      deps.orders.notShippedCheck(orderId, SHIPMENT_STATUSES),
      deps.orders.deleteReservationItem(orderId, reservation.state),
      ...releaseReservationMoves(reservation).map((move) => deps.stock.moveItem(move)),
    ]);
    if (result.ok) return { orderId, undone: true };
    if (result.codes[0] === 'ConditionalCheckFailed') return { orderId, undone: false };
  }
  throw new TransientError(`Reservation of ${orderId} kept changing while releasing it`);
}

const REJECTIONS: Record<string, RejectionReason> = { OutOfStock: 'OUT_OF_STOCK', NoRoute: 'NO_ROUTE' };

export interface CloseRequest {
  orderId: string;
  failedStep: string;
  error: { Error: string; Cause?: string };
}

/**
 * Ends a compensated order: REJECTED for a business refusal, FAILED for anything
 * else. An order that is already final, or that holds a shipment, is left as it is.
 */
export async function closeOrder(deps: Dependencies, { orderId, failedStep, error }: CloseRequest): Promise<StepResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isFinal(order.status) || SHIPMENT_STATUSES.includes(order.status)) return { orderId, status: order.status };
    const rejection = REJECTIONS[error.Error];
    const after = rejection
      ? transition(order, 'REJECTED', deps.now(), { rejectionReason: rejection }, rejection)
      : transition(order, 'FAILED', deps.now(), { failureReason: `${failedStep}: ${error.Error}` }, `${failedStep}: ${error.Error}`);
    try {
      await deps.orders.saveTransition(order, after);
      return { orderId, status: after.status };
    } catch (caught) {
      if (!(caught instanceof StaleOrder)) throw caught;
    }
  }
  throw new TransientError(`Order ${orderId} kept changing while closing it`);
}
