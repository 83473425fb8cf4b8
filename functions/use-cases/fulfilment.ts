/**
 * The fulfilment steps the workflow runs. Each is idempotent: Express executions
 * are at-least-once, and every step may be retried. Forward steps change the order's
 * status and its stock in one transaction; compensation undoes a step only while no
 * shipment stands for the order, so a late duplicate execution cannot undo a live order.
 */
import { DomainError, IllegalTransition, OrderCancelled, OrderNotFound, Stranded, TransientError } from '../domain/errors.ts';
import {
  SHIPMENT_STATUSES,
  isFinal,
  transition,
  type Order,
  type OrderStatus,
  type RejectionReason,
  type RoutePlan,
  type ShippedParcel,
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
import { OutOfStock } from '../domain/errors.ts';
import { localDate } from '../domain/dates.ts';
import { StaleOrder } from '../store/order-store.ts';
import { capacityReleaseItems } from './capacity-counts.ts';
import type { Dependencies } from './dependencies.ts';

/** Attempts at a step when a concurrent writer changed the order or its stock between read and write. */
const ATTEMPTS = 8;

/**
 * Runs a step's transaction. A conflict with a concurrent transaction on the same
 * stock item (a hot SKU) is retried here after a short random pause, reading
 * again, before it would cost one of the workflow's few retries.
 */
async function transact(deps: Dependencies, items: Parameters<Dependencies['orders']['transact']>[0], attempt: number) {
  try {
    return await deps.orders.transact(items);
  } catch (error) {
    if (!(error instanceof TransientError) || attempt === ATTEMPTS - 1) throw error;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 10 * 2 ** attempt)));
    return { ok: false as const, codes: [] as string[] };
  }
}

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

/**
 * The order must be in `from` to take the step; a cancelled order stops the workflow, and so does
 * one the reconciler gave up on, so that the workflow compensates from exactly this step.
 */
function requireStatus(order: Order, from: OrderStatus, to: OrderStatus): void {
  if (order.status === 'CANCELLED') throw new OrderCancelled(`Order ${order.orderId} was cancelled`);
  if (order.status !== from) throw new IllegalTransition(order.status, to);
  if (order.fulfilmentRedrives?.giveUp) throw new Stranded(`Order ${order.orderId} missed its deadline after every re-drive`);
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
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'STOCK_LOCKED')) return { orderId, status: order.status };
    requireStatus(order, 'PLACED', 'STOCK_LOCKED');
    const lines = aggregateLines(order.lines);
    const skus = lines.map((line) => line.sku);
    const locks: ShardQuantity[] = spread
      ? spreadLocks(orderId, lines, await deps.stock.getMany(skus))
      : homeLocks(orderId, lines, await deps.stock.shardCounts(skus));
    const moves = lockMoves(locks);
    const after = transition(order, 'STOCK_LOCKED', deps.now());
    const result = await transact(deps, [
      deps.orders.transitionItem(order, after),
      deps.orders.putReservationItem({ orderId, state: 'LOCKED', lines, locks }),
      ...moves.map((move) => deps.stock.moveItem(move)),
    ], attempt);
    if (result.ok) return { orderId, status: after.status };
    spread ||= result.codes[0] === 'None' && moves.some((_, i) => result.codes[i + 2] === 'ConditionalCheckFailed');
  }
  throw new TransientError(`Order ${orderId} kept changing while locking stock`);
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
 * before NoRoute goes to the workflow, so the rejected order says why.
 */
export async function routeOrder(deps: Dependencies, orderId: string): Promise<RouteResult> {
  let exclusive = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'ROUTED') && order.route) return routeResult(order, order.route);
    requireStatus(order, 'STOCK_LOCKED', 'ROUTED');
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'LOCKED') throw new DomainError(`Order ${orderId} holds no stock lock to route`);
    // Eventually consistent at first: the allocation's conditions catch a stale read, and a hot
    // SKU's shards are read by every order, so this halves the read units on their partitions.
    const stock = await deps.stock.getMany(
      reservation.lines.map((line) => line.sku),
      { consistentRead: exclusive, atLeast: shardsHeld(reservation.locks) },
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
      if (error instanceof NoRouteWithExplanation) {
        const note = error.explanation.policyVersion === null ? NO_POLICY_NOTE : undefined;
        await deps.orders.annotate(order, { routingExplanation: capExplanation(error.explanation, note) }).catch(() => undefined);
      }
      throw error;
    }
    const allocation = planAllocation(reservation.locks, route.allocations, stock);
    if (!allocation) {
      // The split overstated what shards sharing a budget can give, or the read was stale:
      // read consistently and decide again on offers that any plan can be allocated from.
      exclusive = true;
      continue;
    }
    const after = transition(order, 'ROUTED', deps.now(), { route });
    const result = await transact(deps, [
      deps.orders.transitionItem(order, after),
      deps.orders.putReservationItem(
        { orderId, state: 'ALLOCATED', lines: reservation.lines, allocations: allocation.allocations, capacityDay: today },
        'LOCKED',
      ),
      ...allocation.moves.map((move) => deps.stock.moveItem(move)),
      ...parcelWarehouses(route.allocations).map((warehouseId) => deps.capacity.countItem(warehouseId, today, 1)),
    ], attempt);
    if (result.ok) return routeResult(after, route);
    // Either the order changed or another order took the warehouse's free stock first: decide again.
  }
  throw new TransientError(`Order ${orderId} kept changing while routing`);
}

export interface ShipmentResult extends StepResult {
  parcels: ShippedParcel[];
}

const parcelId = (orderId: string, index: number) => `${orderId}-${index + 1}`;

/** Asks each parcel's carrier for a shipment, then records them; a cancel that won the race stops here. */
export async function requestShipment(deps: Dependencies, orderId: string): Promise<ShipmentResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const order = await load(deps, orderId);
    if (isPast(order, 'SHIPMENT_REQUESTED') && order.shipment) return { orderId, status: order.status, ...order.shipment };
    requireStatus(order, 'ROUTED', 'SHIPMENT_REQUESTED');
    if (!order.route) throw new DomainError(`Order ${orderId} is ROUTED without a route`);
    const parcels = await Promise.all(
      order.route.parcels.map((parcel, i) => deps.carrier.requestShipment({ orderId, parcelId: parcelId(orderId, i), parcel })),
    );
    const after = transition(order, 'SHIPMENT_REQUESTED', deps.now(), { shipment: { parcels } });
    const result = await transact(deps, [
      deps.orders.transitionItem(order, after),
      deps.orders.reservationCheck(orderId, 'ALLOCATED'),
      // Carrier callbacks name the tracking number only; these lead them to the order.
      ...parcels.map((parcel) => deps.tracking.trackingItem(parcel.carrier, parcel.trackingNumber, { orderId, parcelId: parcel.parcelId })),
    ], attempt);
    if (result.ok) return { orderId, status: after.status, parcels };
  }
  throw new TransientError(`Order ${orderId} kept changing while requesting the shipment`);
}

export interface CompensationResult {
  orderId: string;
  undone: boolean;
}

/** Cancels the carrier requests unless the order holds the shipment (another execution got it recorded). */
export async function cancelShipment(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  const order = await load(deps, orderId);
  if (SHIPMENT_STATUSES.includes(order.status) || !order.route) return { orderId, undone: false };
  await Promise.all(
    order.route.parcels.map((parcel, i) => deps.carrier.cancelShipment({ orderId, parcelId: parcelId(orderId, i), carrier: parcel.carrier })),
  );
  return { orderId, undone: true };
}

/** Gives warehouse allocations back to the network-wide lock. */
export async function releaseAllocation(deps: Dependencies, orderId: string): Promise<CompensationResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const reservation = await deps.orders.getReservation(orderId);
    if (reservation?.state !== 'ALLOCATED') return { orderId, undone: false };
    const { allocations, lines } = reservation;
    const result = await transact(deps, [
      deps.orders.notShippedCheck(orderId, SHIPMENT_STATUSES),
      deps.orders.putReservationItem({ orderId, state: 'LOCKED', lines, locks: locksOf(allocations) }, 'ALLOCATED'),
      ...releaseAllocationMoves(allocations).map((move) => deps.stock.moveItem(move)),
      ...capacityReleaseItems(deps, reservation),
    ], attempt);
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
    const result = await transact(deps, [
      deps.orders.notShippedCheck(orderId, SHIPMENT_STATUSES),
      deps.orders.deleteReservationItem(orderId, reservation.state),
      ...releaseReservationMoves(reservation).map((move) => deps.stock.moveItem(move)),
      ...capacityReleaseItems(deps, reservation),
    ], attempt);
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
