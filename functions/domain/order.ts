/**
 * The order and its lifecycle. Pure: no I/O, no AWS, no clock (callers pass `now`).
 */
import { IllegalTransition, OrderNotAmendable } from './errors.ts';
import type { ProductAttributes, RoutingCandidate, RoutingPlan } from './route-planner.ts';
import type { ParcelStatus } from './shipment-tracking.ts';
import { maskPhone } from './personal-data.ts';

export const ORDER_STATUSES = [
  'PLACED',
  'STOCK_LOCKED',
  'ROUTED',
  'SHIPMENT_REQUESTED',
  'SHIPPED',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
  'FAILED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CUSTOMER_TIERS = ['standard', 'plus', 'vip'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export const DELIVERY_PREFERENCES = ['fastest', 'cheapest', 'greenest'] as const;
export type DeliveryPreference = (typeof DELIVERY_PREFERENCES)[number];

export const REJECTION_REASONS = ['OUT_OF_STOCK', 'NO_ROUTE'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface OrderLine {
  sku: string;
  quantity: number;
  /** Integer, minor currency units. */
  unitPrice: number;
  /** What routing must respect: no air for liquids or fragile goods, cold chain, hazmat, weight. */
  attributes?: ProductAttributes;
}

export interface ShipTo {
  name: string;
  phone: string;
  country: string;
  region: string;
  city: string;
  postalCode: string;
  line1: string;
}

/** What a channel sends to place an order. */
export interface OrderRequest {
  channel: string;
  channelOrderId: string;
  currency: string;
  customer: { id: string; tier: CustomerTier };
  lines: OrderLine[];
  shipTo: ShipTo;
  deliveryPreference?: DeliveryPreference;
  attribution?: Record<string, unknown>;
}

export interface Allocation {
  sku: string;
  warehouseId: string;
  quantity: number;
}

/** The chosen plan, what it allocates, and why it was chosen (no personal data). */
export interface RoutePlan extends Omit<RoutingPlan, 'candidateId'> {
  policyVersion: number | null;
  allocations: Allocation[];
  explanation: RouteExplanation;
}

/** Candidates considered, best first then excluded; capped so the order item stays small. */
export interface RouteExplanation {
  candidates: RoutingCandidate[];
  candidatesOmitted: number;
  rulesFired: string[];
  /** Set when no policy was saved and the built-in fallback decided. */
  note?: string;
}

export interface ShippedParcel {
  parcelId: string;
  warehouseId: string;
  carrier: string;
  trackingNumber: string;
  /** What the carrier last reported (see shipment-tracking.ts); absent until its first callback. */
  status?: ParcelStatus;
  /** When the carrier says `status` happened. */
  statusAt?: string;
}

export interface Shipment {
  parcels: ShippedParcel[];
  /** Carrier events recorded so far; guards writes that change a parcel but not the order's status. */
  carrierEvents?: number;
}

/** Recorded changes that keep the status; each is a history entry and an event of its own. */
export const AMENDMENTS = ['SHIPPING_ADDRESS_CHANGED', 'FULFILMENT_REDRIVEN'] as const;
export type Amendment = (typeof AMENDMENTS)[number];

export interface Transition {
  from: OrderStatus | null;
  to: OrderStatus;
  at: string;
  reason?: string;
  /** Set on an amendment (`from` and `to` are then the same status); absent on a status change. */
  amendment?: Amendment;
}

/** What the order records about re-drives of its fulfilment (functions/domain/deadlines.ts); absent until the first. */
export interface FulfilmentRedrives {
  /** Re-drives so far. */
  count: number;
  /** Set by the last re-drive: the next step compensates and closes the order instead of moving it on. */
  giveUp?: boolean;
}

export interface Order extends OrderRequest {
  orderId: string;
  status: OrderStatus;
  /** Increments on every transition; the event sequence number per order. */
  version: number;
  /** The phone masked as events carry it, kept beside the sealed phone for functions that cannot open it. */
  maskedPhone: string;
  totals: { itemCount: number; amount: number };
  placedAt: string;
  updatedAt: string;
  history: Transition[];
  rejectionReason?: RejectionReason;
  /** Why routing found nothing, kept on a rejected order. */
  routingExplanation?: RouteExplanation & { policyVersion: number | null };
  failureReason?: string;
  cancellationReason?: string;
  route?: RoutePlan;
  shipment?: Shipment;
  fulfilmentRedrives?: FulfilmentRedrives;
  /** Set once compensation of the order has begun; from then on it only closes (see `closing`). */
  closing?: Closing;
}

/**
 * The mark that the order is being compensated, recorded on the version it was decided on
 * (without a new version, so without an event): by a step's business refusal, with its
 * reason, or by the first compensation step after a technical failure. Forward steps and
 * amendments are refused from then on, so nothing another execution does afterwards can
 * be undone by this compensation, and CloseOrder closes only an order whose mark still
 * stands on its current version.
 */
export interface Closing {
  version: number;
  rejectionReason?: RejectionReason;
}

/** The order with its closing mark: `rejectionReason` for a business refusal, none for a technical failure. */
export function markClosing(order: Order, rejectionReason?: RejectionReason, changes: Partial<Pick<Order, 'routingExplanation'>> = {}): Order {
  return { ...order, ...changes, closing: { version: order.version, ...(rejectionReason ? { rejectionReason } : {}) } };
}

/** The closing mark, if it stands on the order's current version. */
export function standingClosing(order: Order): Closing | undefined {
  return order.closing?.version === order.version ? order.closing : undefined;
}

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PLACED: ['STOCK_LOCKED', 'REJECTED', 'CANCELLED', 'FAILED'],
  STOCK_LOCKED: ['ROUTED', 'REJECTED', 'CANCELLED', 'FAILED'],
  ROUTED: ['SHIPMENT_REQUESTED', 'REJECTED', 'CANCELLED', 'FAILED'],
  SHIPMENT_REQUESTED: ['SHIPPED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
  FAILED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses a channel may cancel from: everything before the shipment is requested. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PLACED', 'STOCK_LOCKED', 'ROUTED'];

/**
 * Statuses in which stock held for the order must stay where it is: the shipment
 * exists, so compensation must not hand the stock back.
 */
export const SHIPMENT_STATUSES: readonly OrderStatus[] = ['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];

/**
 * Statuses in which the channel may still change where the order goes: until routing
 * has chosen a warehouse and carrier for the address.
 */
export const ADDRESS_CHANGEABLE_STATUSES = ['PLACED', 'STOCK_LOCKED'] as const satisfies readonly OrderStatus[];

export function isFinal(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

export function totalsOf(lines: readonly OrderLine[]): Order['totals'] {
  return {
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    amount: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0),
  };
}

export function placeOrder(request: OrderRequest, orderId: string, now: string): Order {
  return {
    ...request,
    orderId,
    status: 'PLACED',
    version: 1,
    maskedPhone: maskPhone(request.shipTo.phone),
    totals: totalsOf(request.lines),
    placedAt: now,
    updatedAt: now,
    history: [{ from: null, to: 'PLACED', at: now }],
  };
}

/** Two addresses are the same when every field either has is the same. */
function sameAddress(a: ShipTo, b: ShipTo): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ShipTo>;
  return [...fields].every((field) => a[field] === b[field]);
}

/**
 * The order shipping to `shipTo`, as a recorded change: a new version and history entry,
 * hence its own event, so the change is ordered against the fulfilment steps (the
 * store guards the write on the version read) and shows in the timeline. The same
 * address again changes nothing. Throws OrderNotAmendable once the order is routed.
 */
export function changeShippingAddress(order: Order, shipTo: ShipTo, now: string): Order {
  if (!(ADDRESS_CHANGEABLE_STATUSES as readonly OrderStatus[]).includes(order.status) || order.closing) {
    throw new OrderNotAmendable(order.status, 'the shipping address');
  }
  if (sameAddress(order.shipTo, shipTo)) return order;
  const entry: Transition = { from: order.status, to: order.status, at: now, amendment: 'SHIPPING_ADDRESS_CHANGED' };
  return { ...order, shipTo, maskedPhone: maskPhone(shipTo.phone), version: order.version + 1, updatedAt: now, history: [...order.history, entry] };
}

/** Fields a transition may set alongside the new status. */
export type TransitionChanges = Partial<
  Pick<Order, 'rejectionReason' | 'failureReason' | 'cancellationReason' | 'route' | 'shipment' | 'routingExplanation'>
>;

/**
 * The order after moving to `to`. Throws IllegalTransition when the lifecycle
 * forbids it; the store additionally guards the write on status and version.
 */
export function transition(
  order: Order,
  to: OrderStatus,
  now: string,
  changes: TransitionChanges = {},
  reason?: string,
): Order {
  if (!canTransition(order.status, to)) throw new IllegalTransition(order.status, to);
  const entry: Transition = { from: order.status, to, at: now, ...(reason ? { reason } : {}) };
  return {
    ...order,
    ...changes,
    status: to,
    version: order.version + 1,
    updatedAt: now,
    history: [...order.history, entry],
  };
}
