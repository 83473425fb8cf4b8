/**
 * Which event each entry of an order's history put on the bus: its detail-type and event id, and
 * the order's timeline built from them. Apart from the event schemas (events.ts, which re-exports
 * these) because evaluating those builds every event's zod schema, the routing policy's included:
 * `GET /orders/{orderId}/timeline` needs only the names.
 */
import type { Amendment, Order, OrderStatus, Transition } from './order.ts';

export const DETAIL_TYPES = {
  PLACED: 'OrderPlaced',
  // Placed awaiting payment: still the order's placement, with `status` PAYMENT_PENDING.
  PAYMENT_PENDING: 'OrderPlaced',
  STOCK_LOCKED: 'OrderStockLocked',
  ROUTED: 'OrderRouted',
  SHIPMENT_REQUESTED: 'OrderShipmentRequested',
  SHIPPED: 'OrderShipped',
  DELIVERED: 'OrderDelivered',
  REJECTED: 'OrderRejected',
  CANCELLED: 'OrderCancelled',
  FAILED: 'OrderFailed',
} as const satisfies Record<OrderStatus, string>;

/** One detail-type per amendment: a change that keeps the status (the event's `status` equals `previousStatus`). */
export const AMENDMENT_DETAIL_TYPES = {
  SHIPPING_ADDRESS_CHANGED: 'OrderShippingAddressChanged',
  FULFILMENT_REDRIVEN: 'OrderFulfilmentRedriven',
  PERSONAL_DATA_ERASED: 'CustomerDataErased',
  HELD: 'OrderHeld',
  PARCEL_SHIPPED: 'ParcelShipped',
  PARCEL_DELIVERED: 'ParcelDelivered',
  DELIVERY_EXCEPTION: 'DeliveryException',
  // The stock lock of an order waiting for its payment: the same event as any stock lock, its status PAYMENT_PENDING.
  STOCK_LOCKED_AWAITING_PAYMENT: 'OrderStockLocked',
  PAYMENT_AUTHORIZED: 'OrderPaymentAuthorized',
  PAYMENT_FAILED: 'OrderPaymentFailed',
} as const satisfies Record<Amendment, string>;

/** The detail-type of the event a history entry produces. */
export function detailTypeOf(entry: Transition): OrderDetailType {
  return entry.amendment ? AMENDMENT_DETAIL_TYPES[entry.amendment] : DETAIL_TYPES[entry.to];
}

/** The detail-type of an order's event (events.ts checks that its schemas name exactly these). */
export type OrderDetailType = (typeof DETAIL_TYPES)[OrderStatus] | (typeof AMENDMENT_DETAIL_TYPES)[Amendment];

/** Stable across redeliveries, so consumers can deduplicate. */
export const eventIdOf = (orderId: string, sequence: number) => `${orderId}:${sequence}`;

export interface TimelineEntry extends Transition {
  /** The order's version after this entry, which is the event's `sequence`. */
  sequence: number;
  /** The event the entry put on the bus (derived from the table's stream). */
  event: { eventId: string; detailType: OrderDetailType };
}

/**
 * Every transition and amendment of the order, oldest first, each with the event it
 * produced. Each history entry is one version and the last one is the order's current
 * version, so an entry's sequence is the version it wrote: the publisher's event id.
 */
export function timelineOf(order: Order): TimelineEntry[] {
  const first = order.version - order.history.length + 1;
  return order.history.map((entry, i) => ({
    ...entry,
    sequence: first + i,
    event: { eventId: eventIdOf(order.orderId, first + i), detailType: detailTypeOf(entry) },
  }));
}
