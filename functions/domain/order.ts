/**
 * The order and its lifecycle. Pure: no I/O, no AWS, no clock (callers pass `now`).
 */
import { IllegalTransition, OrderNotAmendable } from './errors.ts';
import type { OrderRoute, RecordedExplanation } from './routing/decision.ts';
import type { CustomerTier, DeliveryExceptionCode, DeliveryPreference, OrderLine, ParcelStatus, ShipTo } from './vocabulary.ts';
import type { Attribution } from './attribution.ts';
import type { QuoteOptionName } from './routing/quote-outcome.ts';
import { maskPhone } from './phone-mask.ts';
import { DEFAULT_PAYMENT_SETTINGS, paymentAtPlacement, placedStatusOf, type Payment, type PaymentRequest, type PaymentSettings } from './placement-payment.ts';

export const ORDER_STATUSES = [
  'PLACED',
  'PAYMENT_PENDING',
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

/** Where an order's life ends: no step acts on it any more. */
export const ENDED_STATUSES = ['DELIVERED', 'REJECTED', 'CANCELLED', 'FAILED'] as const satisfies readonly OrderStatus[];

export const REJECTION_REASONS = ['OUT_OF_STOCK', 'NO_ROUTE'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/**
 * Why a channel cancelled, as a closed set so that events carry a code and never the words
 * someone typed (the words, if any, are the order's `cancellationNote`, which is never
 * published). UNSPECIFIED when the channel gave no code; OTHER when none of these fits.
 */
export const CANCELLATION_REASONS = [
  'UNSPECIFIED',
  'CUSTOMER_REQUEST',
  'OUT_OF_STOCK',
  'PAYMENT_FAILED',
  'FRAUD_SUSPECTED',
  'ADDRESS_UNDELIVERABLE',
  'DUPLICATE_ORDER',
  'OTHER',
  'PAYMENT_TIMEOUT',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** The order's cancellation code; orders cancelled before reasons were codes hold the channel's words, which count as OTHER. */
export function cancellationCodeOf(order: Pick<Order, 'cancellationReason'>): CancellationReason | undefined {
  const reason: string | undefined = order.cancellationReason;
  if (reason === undefined) return undefined;
  return (CANCELLATION_REASONS as readonly string[]).includes(reason) ? (reason as CancellationReason) : 'OTHER';
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
  attribution?: Attribution;
  /** A delivery-option quote (`POST /quotes`) the channel showed: routing ships the option chosen if it still holds. */
  quote?: { quoteId: string; option: QuoteOptionName };
  /** How the customer pays; absent means authorized before placing (domain/payment.ts). */
  payment?: PaymentRequest;
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
  /** The latest delivery exception the carrier reported, until the parcel moves on past it. */
  exception?: { code: DeliveryExceptionCode; at: string };
}

export interface Shipment {
  parcels: ShippedParcel[];
  /** Carrier events recorded so far; guards writes that change a parcel but not the order's status. */
  carrierEvents?: number;
}

/**
 * Recorded changes that keep the status (but for an operator's retry of a FAILED order, a
 * FULFILMENT_REDRIVEN back to PLACED: deadlines.ts `redriveFailed`); each is a history entry and an event of its own.
 */
export const AMENDMENTS = [
  'SHIPPING_ADDRESS_CHANGED',
  'FULFILMENT_REDRIVEN',
  'PERSONAL_DATA_ERASED',
  'HELD',
  'PARCEL_SHIPPED',
  'PARCEL_DELIVERED',
  'DELIVERY_EXCEPTION',
  'STOCK_LOCKED_AWAITING_PAYMENT',
  'PAYMENT_AUTHORIZED',
  'PAYMENT_FAILED',
] as const;
export type Amendment = (typeof AMENDMENTS)[number];

export const ACTOR_KINDS = ['channel', 'operator', 'step', 'carrier', 'reconciler'] as const;

/**
 * Who made a change: a channel's or an operator's token subject, the workflow step, the
 * carrier whose callback it was, or the scheduled reconciler.
 */
export interface Actor {
  kind: (typeof ACTOR_KINDS)[number];
  id: string;
}

export const RECONCILER: Actor = { kind: 'reconciler', id: 'reconciler' };

/**
 * Text the channel typed that is kept on the order, may hold anything personal, and that no
 * partner is entitled to: sealed at rest with the personal fields of `shipTo`, never in the audit
 * trail, and dropped on erasure (functions/domain/personal-data.ts, erasure.ts).
 */
export const PERSONAL_FREE_TEXT_FIELDS = ['cancellationNote', 'attribution'] as const;
const PERSONAL_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(['shipTo', 'customer', ...PERSONAL_FREE_TEXT_FIELDS]);

/**
 * A field a change set: old and new values, except for personal data (`shipTo.*`, the customer,
 * free text), where only the field's name says that it changed, and for structures (route,
 * shipment), which the order shows.
 */
export interface FieldChange {
  field: string;
  from?: string | number | boolean | null;
  to?: string | number | boolean | null;
}

export interface Transition {
  from: OrderStatus | null;
  to: OrderStatus;
  at: string;
  reason?: string;
  /** Set on an amendment (`from` and `to` are then the same status); absent on a status change. */
  amendment?: Amendment;
  /** Who made the change (absent on entries recorded before changes were attributed). */
  by?: Actor;
  /** What the change set besides the status. */
  changed?: FieldChange[];
  /** The parcel a carrier's report was about, on the parcel amendments. */
  parcelId?: string;
}

/**
 * Set while the order is held: it does not progress to the shipment request. Held by an operator
 * (docs/decisions/0004) until released; or in its channel's hold window (docs/decisions/0005), by
 * {@link HOLD_WINDOW}, until `until`, when its `release-hold` timer releases it.
 */
export interface Hold {
  by: Actor;
  at: string;
  /** The end of a hold window; absent on an operator's hold, which lasts until an operator releases it. */
  until?: string;
}

/** Who opens and ends hold windows: the system, at the shipment request, and the window's timer. */
export const HOLD_WINDOW: Actor = { kind: 'step', id: 'HoldWindow' };

/** What the order records about re-drives of its fulfilment (functions/domain/deadlines.ts); absent until the first. */
export interface FulfilmentRedrives {
  /** Re-drives so far. */
  count: number;
  /** Set by the last re-drive: the next step compensates and closes the order instead of moving it on. */
  giveUp?: boolean;
}

export interface Order extends Omit<OrderRequest, 'payment'> {
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
  routingExplanation?: RecordedExplanation & { policyVersion: number | null };
  failureReason?: string;
  cancellationReason?: CancellationReason;
  /** What the channel wrote about the cancellation: kept on the order, never published. */
  cancellationNote?: string;
  /** When the customer's personal data was erased from the order (functions/domain/erasure.ts). */
  personalDataErasedAt?: string;
  route?: OrderRoute;
  shipment?: Shipment;
  fulfilmentRedrives?: FulfilmentRedrives;
  hold?: Hold;
  /** Set once compensation of the order has begun; from then on it only closes (see `closing`). */
  closing?: Closing;
  /** The payment gate, for an order placed with its payment pending (domain/payment.ts); absent: paid before placing. */
  payment?: Payment;
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

/**
 * The lifecycle's status changes. PAYMENT_PENDING leaves by a payment decision (domain/payment.ts:
 * authorized moves it on to PLACED or STOCK_LOCKED as an amendment, failed or overdue cancels it).
 */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PLACED: ['STOCK_LOCKED', 'REJECTED', 'CANCELLED', 'FAILED'],
  // REJECTED or FAILED when the stock lock of a channel locking at placement is refused or fails.
  PAYMENT_PENDING: ['CANCELLED', 'REJECTED', 'FAILED'],
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

/** Statuses an operator may hold an order in: everything before the shipment is requested. */
export const HOLDABLE_STATUSES: readonly OrderStatus[] = ['PLACED', 'STOCK_LOCKED', 'ROUTED'];

/** Statuses a channel may cancel from: everything before the shipment is requested. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['PAYMENT_PENDING', 'PLACED', 'STOCK_LOCKED', 'ROUTED'];

/**
 * Statuses in which stock held for the order must stay where it is: the shipment
 * exists, so compensation must not hand the stock back.
 */
export const SHIPMENT_STATUSES: readonly OrderStatus[] = ['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];

/**
 * Statuses in which the channel may still change where the order goes: until routing
 * has chosen a warehouse and carrier for the address.
 */
export const ADDRESS_CHANGEABLE_STATUSES = ['PAYMENT_PENDING', 'PLACED', 'STOCK_LOCKED'] as const satisfies readonly OrderStatus[];

export function isFinal(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

export function totalsOf(lines: readonly OrderLine[]): Order['totals'] {
  return {
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    amount: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0),
  };
}

/** The order as placed: PAYMENT_PENDING when the channel says its payment is pending (domain/payment.ts), else PLACED. */
export function placeOrder(request: OrderRequest, orderId: string, now: string, by?: Actor, paymentSettings: PaymentSettings = DEFAULT_PAYMENT_SETTINGS): Order {
  const { payment: given, ...rest } = request;
  const payment = paymentAtPlacement(request, paymentSettings, now);
  const status = placedStatusOf(request);
  return {
    ...rest,
    ...(payment ? { payment } : {}),
    orderId,
    status,
    version: 1,
    maskedPhone: maskPhone(request.shipTo.phone),
    totals: totalsOf(request.lines),
    placedAt: now,
    updatedAt: now,
    history: [{ from: null, to: status, at: now, ...(by ? { by } : {}) }],
  };
}

/**
 * A queued order as the intake queue's drainer writes it (docs/capacity.md, section 5): its placement entry and
 * `updatedAt` at the time it lands, so the fulfilment deadlines (deadlines.ts) count from when it could first be
 * worked on, not from its wait in the queue; `placedAt` stays when the channel's request was accepted.
 */
export function landedAt(order: Order, now: string): Order {
  const [placement, ...later] = order.history;
  if (!placement) return order;
  return { ...order, updatedAt: now, history: [{ ...placement, at: now }, ...later] };
}

type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar | undefined => value === undefined || value === null || typeof value !== 'object';

/** The fields `changes` sets on `order`: values for scalars, only the name for structures. */
export function changedFields(order: Order, changes: Partial<Order>): FieldChange[] {
  return Object.entries(changes).flatMap(([field, to]) => {
    const from = order[field as keyof Order];
    if (from === to) return [];
    if (PERSONAL_TOP_LEVEL_FIELDS.has(field) || !isScalar(from) || !isScalar(to)) return [{ field }];
    return [{ field, from: from ?? null, to: to ?? null }];
  });
}

/** An entry's audit: who, and what it changed (left out when nothing besides the status). */
export function audit(by: Actor | undefined, changed: FieldChange[]): Pick<Transition, 'by' | 'changed'> {
  return { ...(by ? { by } : {}), ...(changed.length > 0 ? { changed } : {}) };
}

/**
 * The order held by an operator: a recorded change, so the hold is on the timeline and the
 * bus. A held order stays where it is until released (deadlines.ts `release`). Holding it
 * again changes nothing; an order out of flight, or being compensated, cannot be held. An
 * operator's hold during a hold window replaces it: the order then waits for the operator, not
 * for the window's end (its timer finds no window left and does nothing).
 */
export function holdOrder(order: Order, now: string, by: Actor): Order {
  if (order.hold && (order.hold.until === undefined || by.kind !== 'operator')) return order;
  if (!HOLDABLE_STATUSES.includes(order.status) || standingClosing(order)) {
    throw new OrderNotAmendable(order.status, 'whether it is held');
  }
  const changed = order.hold ? [{ field: 'hold.until', from: order.hold.until, to: null }] : [{ field: 'hold', from: false, to: true }];
  return held(order, { by, at: now }, now, by, changed);
}

/** Whether the order has had its hold window: it gets one, once, however often its execution reaches the shipment request. */
export function hadHoldWindow(order: Order): boolean {
  return order.history.some((entry) => entry.amendment === 'HELD' && entry.by?.kind === HOLD_WINDOW.kind && entry.by.id === HOLD_WINDOW.id);
}

/**
 * The order in its channel's hold window (docs/decisions/0005-hold-window-and-timers.md): routed, its
 * stock locked, but held from the shipment request for `holdSeconds`, during which the customer may
 * still change the address or cancel. The same recorded hold as an operator's (`OrderHeld`), by the
 * system and with an end; its `release-hold` timer ends it.
 */
export function startHoldWindow(order: Order, now: string, holdSeconds: number): Order {
  if (order.hold || hadHoldWindow(order) || holdSeconds <= 0) return order;
  if (!HOLDABLE_STATUSES.includes(order.status) || standingClosing(order)) throw new OrderNotAmendable(order.status, 'whether it is held');
  const until = new Date(Date.parse(now) + holdSeconds * 1000).toISOString();
  return held(order, { by: HOLD_WINDOW, at: now, until }, now, HOLD_WINDOW, [
    { field: 'hold', from: false, to: true },
    { field: 'hold.until', from: null, to: until },
  ]);
}

function held(order: Order, hold: Hold, now: string, by: Actor, changed: FieldChange[]): Order {
  const entry: Transition = { from: order.status, to: order.status, at: now, amendment: 'HELD', ...audit(by, changed) };
  return { ...order, hold, version: order.version + 1, updatedAt: now, history: [...order.history, entry] };
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
export function changeShippingAddress(order: Order, shipTo: ShipTo, now: string, by?: Actor): Order {
  if (!(ADDRESS_CHANGEABLE_STATUSES as readonly OrderStatus[]).includes(order.status) || order.closing) {
    throw new OrderNotAmendable(order.status, 'the shipping address');
  }
  if (sameAddress(order.shipTo, shipTo)) return order;
  const entry: Transition = { from: order.status, to: order.status, at: now, amendment: 'SHIPPING_ADDRESS_CHANGED', ...audit(by, addressChanges(order.shipTo, shipTo)) };
  return { ...order, shipTo, maskedPhone: maskPhone(shipTo.phone), version: order.version + 1, updatedAt: now, history: [...order.history, entry] };
}

/** Personal data: which fields changed, never their values. */
function addressChanges(before: ShipTo, after: ShipTo): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])] as Array<keyof ShipTo>;
  return fields.filter((field) => before[field] !== after[field]).map((field) => ({ field: `shipTo.${field}` }));
}

/** Whether the order is routed and in its hold window, where an address change routes it again. */
export function isReroutableForAddress(order: Order): boolean {
  return order.status === 'ROUTED' && order.hold?.until !== undefined && !order.closing;
}

/**
 * The order in its hold window shipping to `shipTo` (docs/decisions/0005-hold-window-and-timers.md): the
 * route depended on the old address, so the order goes back to STOCK_LOCKED without it, still held until
 * the window's end, and is re-driven (the re-drive count names the execution that routes it again). The
 * caller gives the allocation back to the lock in the same commit. The same address again changes nothing.
 */
export function changeShippingAddressInHoldWindow(order: Order, shipTo: ShipTo, now: string, by?: Actor): Order {
  if (!isReroutableForAddress(order)) throw new OrderNotAmendable(order.status, 'the shipping address');
  if (sameAddress(order.shipTo, shipTo)) return order;
  const count = (order.fulfilmentRedrives?.count ?? 0) + 1;
  const { route: _route, ...unrouted } = order;
  const entry: Transition = {
    from: order.status,
    to: 'STOCK_LOCKED',
    at: now,
    amendment: 'SHIPPING_ADDRESS_CHANGED',
    reason: 'address changed in the hold window: route again',
    ...audit(by, [...addressChanges(order.shipTo, shipTo), { field: 'route' }, { field: 'fulfilmentRedrives.count', from: count - 1, to: count }]),
  };
  return {
    ...unrouted,
    status: 'STOCK_LOCKED',
    shipTo,
    maskedPhone: maskPhone(shipTo.phone),
    fulfilmentRedrives: { count },
    version: order.version + 1,
    updatedAt: now,
    history: [...order.history, entry],
  };
}


/** Fields a transition may set alongside the new status. */
export type TransitionChanges = Partial<
  Pick<Order, 'rejectionReason' | 'failureReason' | 'cancellationReason' | 'cancellationNote' | 'route' | 'shipment' | 'routingExplanation' | 'payment'>
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
  by?: Actor,
): Order {
  if (!canTransition(order.status, to)) throw new IllegalTransition(order.status, to);
  return recorded(order, to, now, { ...(reason ? { reason } : {}), ...audit(by, changedFields(order, changes)) }, changes);
}

/** The order with a new version recording `entry` (from its status to `to`) and `changes`: the one shape every change of an order takes. */
export function recorded(order: Order, to: OrderStatus, now: string, entry: Omit<Transition, 'from' | 'to' | 'at'>, changes: Partial<Order> = {}): Order {
  return {
    ...order,
    ...changes,
    status: to,
    version: order.version + 1,
    updatedAt: now,
    history: [...order.history, { from: order.status, to, at: now, ...entry }],
  };
}
