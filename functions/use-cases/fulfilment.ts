/**
 * The fulfilment steps the workflow runs. Express executions are at-least-once, and
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
  transition,
  type Order,
  type OrderStatus,
  type RejectionReason,
  type RoutePlan,
  type ShippedParcel,
  type Actor,
} from '../domain/order.ts';
import { NoRouteWithExplanation } from '../domain/route-planner.ts';
import { NO_POLICY_NOTE, capExplanation, decideRoute } from './route-decision.ts';
import {
  aggregateLines,
  allocatableStock,
  homeLocks,
  lockMoves,
  locksOf,
  planAllocation,
  releaseAllocationMoves,
  parcelWarehouses,
  releaseReservationMoves,
  spreadLocks,
  type ShardQuantity,
} from '../domain/stock.ts';
import { localDate } from '../domain/dates.ts';
import { capacityRelease } from './capacity-counts.ts';
import type { Dependencies } from './dependencies.ts';
import type { OrderChange } from './ports.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

const STATUS_ORDER: OrderStatus[] = ['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];

/** True when the order has already moved past `status` on the happy path (a replayed step). */
function isPast(order: Order, status: OrderStatus): boolean {
  const at = STATUS_ORDER.indexOf(order.status);
  return at >= 0 && at >= STATUS_ORDER.indexOf(status);
}

/** A workflow step, as the order's audit trail names it: the state's name in the state machine. */
const step = (name: string): Actor => ({ kind: 'step', id: name });

async function load(deps: Dependencies, orderId: string): Promise<Order> {
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
function requireOpen(order: Order, from: OrderStatus, to: OrderStatus): void {
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
async function refuse(
  deps: Dependencies,
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

/**
 * Reserves available-to-promise for every line, all or nothing. The first try
 * locks each SKU in the order's home shard without reading stock; when a shard is
 * short, the step reads every shard and spreads the lines over those with stock.
 */
export async function lockStock(deps: Dependencies, orderId: string): Promise<StepResult> {
  let spread = false;
  return retryOnConflict(`Order ${orderId} kept changing while locking stock`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'STOCK_LOCKED')) return { orderId, status: order.status };
    requireOpen(order, 'PLACED', 'STOCK_LOCKED');
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
    const after = transition(order, 'STOCK_LOCKED', deps.now(), {}, undefined, step('LockStock'));
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

/** Per SKU, how many shards to read so that every shard the order holds a lock in is read. */
function shardsHeld(locks: readonly ShardQuantity[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const { sku, shard } of locks) held.set(sku, Math.max(held.get(sku) ?? 0, shard + 1));
  return held;
}

export interface RouteResult extends StepResult {
  policyVersion: number | null;
  parcels: Array<{ warehouseId: string; carrier: string; serviceLevel: string }>;
}

function routeResult(order: Order, route: RoutePlan): RouteResult {
  return {
    orderId: order.orderId,
    status: order.status,
    policyVersion: route.policyVersion,
    parcels: route.parcels.map(({ warehouseId, carrier, serviceLevel }) => ({ warehouseId, carrier, serviceLevel })),
  };
}

/**
 * Routes under the live policy and turns the lock into allocations at the chosen
 * warehouses. When nothing can serve the order, the explanation is recorded on it
 * with the refusal, so the rejected order says why.
 */
export async function routeOrder(deps: Dependencies, orderId: string): Promise<RouteResult> {
  let exclusive = false;
  let consistent = false;
  return retryOnConflict(`Order ${orderId} kept changing while routing`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'ROUTED') && order.route) return routeResult(order, order.route);
    requireOpen(order, 'STOCK_LOCKED', 'ROUTED');
    const reservation = await deps.orders.getReservation(orderId);
    // Read after the order: another execution or a cancel changed it in between.
    if (reservation?.state !== 'LOCKED') return CONFLICT;
    // Eventually consistent at first: the allocation's conditions catch a stale read, and a hot
    // SKU's shards are read by every order, so this halves the read units on their partitions.
    const stock = await deps.stock.getMany(
      reservation.lines.map((line) => line.sku),
      { consistentRead: consistent || exclusive, atLeast: shardsHeld(reservation.locks) },
    );
    const policy = await deps.routingPolicy();
    // The routing day where the warehouses are: promised dates and daily capacity count from it.
    const today = localDate(deps.now(), policy?.document.timeZone);
    const capacityUsed = policy ? await deps.capacity.usedOn(today, policy.document.warehouses.map((w) => w.id)) : {};
    let route: RoutePlan;
    try {
      const allocatable = allocatableStock(reservation.locks, stock, { exclusive });
      route = await decideRoute(order, reservation.lines, allocatable, capacityUsed, policy, today);
    } catch (error) {
      if (!(error instanceof NoRouteWithExplanation)) throw error;
      // A refusal is never decided on a stale read: read the stock consistently first.
      if (!consistent) {
        consistent = true;
        return CONFLICT;
      }
      const note = error.explanation.policyVersion === null ? NO_POLICY_NOTE : undefined;
      return refuse(deps, order, error, 'NO_ROUTE', { routingExplanation: capExplanation(error.explanation, note) });
    }
    const allocation = planAllocation(reservation.locks, route.allocations, stock);
    if (!allocation) {
      // The split overstated what shards sharing a budget can give, or the read was stale:
      // read consistently and decide again on offers that any plan can be allocated from.
      exclusive = true;
      return CONFLICT;
    }
    const after = transition(order, 'ROUTED', deps.now(), { route }, undefined, step('RouteOrder'));
    const outcome = await deps.orders.commit({
      order: { before: order, after },
      reservation: {
        put: { orderId, state: 'ALLOCATED', lines: reservation.lines, allocations: allocation.allocations, capacityDay: today },
        expectedRevision: reservation.revision,
      },
      stock: allocation.moves,
      capacity: parcelWarehouses(route.allocations).map((warehouseId) => ({ warehouseId, day: today, parcels: 1 })),
    });
    // Either the order changed or another order took the warehouse's free stock first: decide again.
    return outcome.ok ? routeResult(after, route) : CONFLICT;
  });
}

export interface ShipmentResult extends StepResult {
  parcels: ShippedParcel[];
}

const parcelId = (orderId: string, index: number) => `${orderId}-${index + 1}`;

/** Asks each parcel's carrier for a shipment, then records them; a cancel or a compensation that won the race stops here. */
export async function requestShipment(deps: Dependencies, orderId: string): Promise<ShipmentResult> {
  return retryOnConflict(`Order ${orderId} kept changing while requesting the shipment`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'SHIPMENT_REQUESTED') && order.shipment) return { orderId, status: order.status, ...order.shipment };
    requireOpen(order, 'ROUTED', 'SHIPMENT_REQUESTED');
    // Held by an operator: the execution ends here, the order stays ROUTED, and the release re-drives it (ADR 0004).
    if (order.hold) return { orderId, status: order.status, parcels: [] };
    if (!order.route) throw new DomainError(`Order ${orderId} is ROUTED without a route`);
    const parcels = await Promise.all(
      order.route.parcels.map((parcel, i) => deps.carrier.requestShipment({ orderId, parcelId: parcelId(orderId, i), parcel })),
    );
    const after = transition(order, 'SHIPMENT_REQUESTED', deps.now(), { shipment: { parcels } }, undefined, step('RequestShipment'));
    const outcome = await deps.orders.commit({
      order: { before: order, after },
      reservation: { check: 'ALLOCATED' },
      // Carrier callbacks name the tracking number only; these lead them to the order.
      tracking: parcels.map((parcel) => ({
        carrierId: parcel.carrier,
        trackingNumber: parcel.trackingNumber,
        parcel: { orderId, parcelId: parcel.parcelId },
      })),
    });
    return outcome.ok ? { orderId, status: after.status, parcels } : CONFLICT;
  });
}

export interface CompensationResult {
  orderId: string;
  undone: boolean;
}

/** Compensation leaves alone an order that holds a shipment (another execution got it recorded) or is closed. */
const compensable = (order: Order) => !SHIPMENT_STATUSES.includes(order.status) && !isFinal(order.status);

/** The order part of a compensating write: its closing mark, unless the mark already stands (then only checked). */
function closing(order: Order): OrderChange['order'] {
  return standingClosing(order) ? { before: order } : { before: order, after: markClosing(order) };
}

/** Marks the order as closing when nothing else is to be written; false when it changed since it was read. */
async function markOnly(deps: Dependencies, order: Order): Promise<boolean> {
  const part = closing(order);
  return !part.after || (await deps.orders.commit({ order: part })).ok;
}

/**
 * Cancels the carrier requests of a routed order. The order is marked as closing first, so
 * a duplicate execution can no longer record the shipment it requested (its commit is
 * guarded on the order as it read it): a carrier request is never cancelled under a live order.
 */
export async function cancelShipment(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  return retryOnConflict(`Order ${orderId} kept changing while cancelling its shipment`, async () => {
    const order = await load(deps, orderId);
    if (SHIPMENT_STATUSES.includes(order.status) || !order.route) return { orderId, undone: false };
    // A cancelled order may still have a carrier request its execution could not record.
    if (!isFinal(order.status) && !(await markOnly(deps, order))) return CONFLICT;
    await Promise.all(
      order.route.parcels.map((parcel, i) => deps.carrier.cancelShipment({ orderId, parcelId: parcelId(orderId, i), carrier: parcel.carrier })),
    );
    return { orderId, undone: true };
  });
}

/** Gives warehouse allocations back to the network-wide lock, exactly as the reservation holds them now. */
export async function releaseAllocation(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  return retryOnConflict(`Reservation of ${orderId} kept changing while releasing its allocation`, async () => {
    const order = await load(deps, orderId);
    if (!compensable(order)) return { orderId, undone: false };
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'ALLOCATED') return (await markOnly(deps, order)) ? { orderId, undone: false } : CONFLICT;
    const { allocations, lines } = reservation;
    const outcome = await deps.orders.commit({
      order: closing(order),
      reservation: { put: { orderId, state: 'LOCKED', lines, locks: locksOf(allocations) }, expectedRevision: reservation.revision },
      stock: releaseAllocationMoves(allocations),
      capacity: capacityRelease(reservation),
    });
    return outcome.ok ? { orderId, undone: true } : CONFLICT;
  });
}

/** Gives everything the order still holds back to available-to-promise, exactly as the reservation holds it now. */
export async function releaseStock(deps: Dependencies, orderId: string): Promise<CompensationResult> {
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

export interface CloseRequest {
  orderId: string;
  failedStep: string;
  error: { Error: string; Cause?: string };
}

/**
 * Ends a compensated order as its closing mark says: REJECTED for a recorded business
 * refusal, FAILED for anything else. Only an order whose mark stands on its current
 * version is closed; a final order, an order holding a shipment, or one that another
 * execution carried on since is left as it is.
 */
export async function closeOrder(deps: Dependencies, { orderId, failedStep, error }: CloseRequest): Promise<StepResult> {
  return retryOnConflict(`Order ${orderId} kept changing while closing it`, async () => {
    const order = await load(deps, orderId);
    const mark = standingClosing(order);
    if (isFinal(order.status) || SHIPMENT_STATUSES.includes(order.status) || !mark) return { orderId, status: order.status };
    const rejection = mark.rejectionReason;
    const failure = `${failedStep}: ${error.Error}`;
    const after = rejection
      ? transition(order, 'REJECTED', deps.now(), { rejectionReason: rejection }, rejection, step('CloseOrder'))
      : transition(order, 'FAILED', deps.now(), { failureReason: failure }, failure, step('CloseOrder'));
    const outcome = await deps.orders.commit({ order: { before: order, after } });
    return outcome.ok ? { orderId, status: after.status } : CONFLICT;
  });
}
