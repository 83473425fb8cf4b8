/**
 * Order events: one detail-type per transition, in a versioned envelope that
 * carries no personal data (phone masked, address reduced to country/region/city,
 * no name, no street, no attribution).
 */
import type { Amendment, Order, OrderStatus, Transition } from './order.ts';

export const EVENT_SCHEMA_VERSION = '1.0';

export const DETAIL_TYPES = {
  PLACED: 'OrderPlaced',
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
} as const satisfies Record<Amendment, string>;

export type DetailType = (typeof DETAIL_TYPES)[OrderStatus] | (typeof AMENDMENT_DETAIL_TYPES)[Amendment];

/** The detail-type of the event a history entry produces. */
export function detailTypeOf(entry: Transition): DetailType {
  return entry.amendment ? AMENDMENT_DETAIL_TYPES[entry.amendment] : DETAIL_TYPES[entry.to];
}

/** Stable across redeliveries, so consumers can deduplicate. */
export const eventIdOf = (orderId: string, sequence: number) => `${orderId}:${sequence}`;

export interface OrderEvent {
  /** Stable across redeliveries, so consumers can deduplicate: `<orderId>:<sequence>`. */
  eventId: string;
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  type: DetailType;
  orderId: string;
  /** The order's version after the transition: consecutive per order, so consumers can order and spot gaps. */
  sequence: number;
  occurredAt: string;
  status: OrderStatus;
  previousStatus: OrderStatus | null;
  channel: string;
  channelOrderId: string;
  data: OrderEventData;
}

export interface OrderEventData {
  customerTier: Order['customer']['tier'];
  currency: string;
  totals: Order['totals'];
  lines: Order['lines'];
  shipTo: { country: string; region: string; city: string; phone: string };
  deliveryPreference?: Order['deliveryPreference'];
  reason?: string;
  /** The routing decision and its explanation, as stored on the order (allocations are in the parcels). */
  route?: Omit<NonNullable<Order['route']>, 'allocations'>;
  shipment?: Order['shipment'];
}

/** Keeps the last four digits, so support can match a number the customer reads out. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').length;
  let seen = 0;
  return phone.replace(/\d/g, (digit) => (++seen > digits - 4 ? digit : '*'));
}

function withoutAllocations({ allocations: _allocations, ...route }: NonNullable<Order['route']>) {
  return route;
}

/** The event for the order's latest history entry (a transition or an amendment). */
export function orderEventOf(order: Order): OrderEvent {
  const last = order.history[order.history.length - 1];
  const reason = order.rejectionReason ?? order.failureReason ?? order.cancellationReason;
  const data: OrderEventData = {
    customerTier: order.customer.tier,
    currency: order.currency,
    totals: order.totals,
    lines: order.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    shipTo: {
      country: order.shipTo.country,
      region: order.shipTo.region,
      city: order.shipTo.city,
      phone: maskPhone(order.shipTo.phone),
    },
    ...(order.deliveryPreference ? { deliveryPreference: order.deliveryPreference } : {}),
    ...(reason && ['REJECTED', 'FAILED', 'CANCELLED'].includes(order.status) ? { reason } : {}),
    ...(order.route ? { route: withoutAllocations(order.route) } : {}),
    ...(order.shipment ? { shipment: order.shipment } : {}),
  };
  return {
    eventId: eventIdOf(order.orderId, order.version),
    schemaVersion: EVENT_SCHEMA_VERSION,
    type: last ? detailTypeOf(last) : DETAIL_TYPES[order.status],
    orderId: order.orderId,
    sequence: order.version,
    occurredAt: last?.at ?? order.updatedAt,
    status: order.status,
    previousStatus: last?.from ?? null,
    channel: order.channel,
    channelOrderId: order.channelOrderId,
    data,
  };
}

export interface TimelineEntry extends Transition {
  /** The order's version after this entry, which is the event's `sequence`. */
  sequence: number;
  /** The event the entry put on the bus (derived from the table's stream). */
  event: { eventId: string; detailType: DetailType };
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
