/**
 * Order events: one detail-type per transition, in a versioned envelope that
 * carries no personal data (phone masked, address reduced to country/region/city,
 * no name, no street, no attribution).
 *
 * The zod schemas below are the contract partners get (as JSON Schema, AsyncAPI and
 * in the EventBridge schema registry, see `functions/events/event-contracts.ts`), and
 * the event types are inferred from them, so what the code emits and what is
 * published cannot drift. Every object is strict: a field reaches partners only
 * once it is in a schema here, which is where a privacy review sees it.
 *
 * Adding an event type is one entry in `ORDER_EVENT_SCHEMAS`.
 */
import * as z from 'zod';
import { EventContractBroken } from './errors.ts';

export { EventContractBroken };
import {
  ADDRESS_CHANGEABLE_STATUSES,
  CANCELLATION_REASONS,
  canTransition,
  cancellationCodeOf,
  ENDED_STATUSES,
  ORDER_STATUSES,
  REJECTION_REASONS,
  type Amendment,
  type Order,
  type OrderStatus,
  type Transition,
} from './order.ts';
import { EXCLUSION_REASONS, TRANSPORT_MODES } from './routing/routing-policy.ts';
import { ROLLOUT_ARMS } from './routing/rollout.ts';
import { CUSTOMER_TIERS, DELIVERY_EXCEPTION_CODES, DELIVERY_PREFERENCES, PARCEL_STATUSES } from './vocabulary.ts';
import { IN_FLIGHT_STATUSES } from './deadlines.ts';
import { CHANNEL_ORDER_ID, isPublishablePlace, PUBLISHABLE_PLACE } from './free-text.ts';

import { checkedEvent, EVENT_SCHEMA_VERSION } from './event-envelope.ts';
import { RETURN_DETAIL_TYPES, RETURN_EVENT_SCHEMAS, type ReturnEvent } from './return-events.ts';

export { EVENT_SCHEMA_VERSION };

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
  FULFILMENT_REDRIVEN: 'OrderFulfilmentRedriven',
  PERSONAL_DATA_ERASED: 'CustomerDataErased',
  HELD: 'OrderHeld',
  PARCEL_SHIPPED: 'ParcelShipped',
  PARCEL_DELIVERED: 'ParcelDelivered',
  DELIVERY_EXCEPTION: 'DeliveryException',
} as const satisfies Record<Amendment, string>;

/** The detail-type of the event a history entry produces. */
export function detailTypeOf(entry: Transition): DetailType {
  return entry.amendment ? AMENDMENT_DETAIL_TYPES[entry.amendment] : DETAIL_TYPES[entry.to];
}

/** Every detail-type the pipeline publishes: one per order status, one per amendment, one per return status. */
export const ALL_DETAIL_TYPES = [...Object.values(DETAIL_TYPES), ...Object.values(AMENDMENT_DETAIL_TYPES), ...Object.values(RETURN_DETAIL_TYPES)];

/** Stable across redeliveries, so consumers can deduplicate. */
export const eventIdOf = (orderId: string, sequence: number) => `${orderId}:${sequence}`;

/** At most four digits in the whole string: what `maskPhone` leaves of any number. */
const MASKED_PHONE = /^\D*(?:\d\D*){0,4}$/;

const name = z.string().min(1);
const units = z.number().int().min(1);
const minorUnits = z.number().int().min(0).describe('Integer amount in minor currency units.');

const lineSchema = z.strictObject({ sku: name, quantity: units, unitPrice: minorUnits });

const shipToSchema = z
  .strictObject({
    country: z.string().regex(/^[A-Z]{2}$/).describe('ISO 3166-1 alpha-2.'),
    region: z
      .string()
      .regex(PUBLISHABLE_PLACE)
      .optional()
      .describe('An ISO 3166-2 code or a place name without digits; absent when what was typed is neither.'),
    city: z.string().regex(PUBLISHABLE_PLACE).optional().describe('A place name without digits; absent when what was typed is not one.'),
    phone: z
      .string()
      .regex(MASKED_PHONE)
      .describe('Masked: every digit but the last four is `*`, formatting kept, e.g. `+** *** **** 8000`.'),
  })
  .meta({
    id: 'ShipTo',
    description: 'Where the order ships, down to the city. Never the name, street or postal code, nor a region or city that could be one.',
  });

const parcelPlanSchema = z.strictObject({
  warehouseId: name,
  carrier: name,
  mode: z.enum(TRANSPORT_MODES),
  serviceLevel: name,
  lines: z.array(z.strictObject({ sku: name, quantity: units })).min(1),
  costMinor: minorUnits,
  carbonGrams: z.number().min(0),
  transitDays: z.number().int().min(0),
});

const candidateSchema = z.strictObject({
  id: name.describe('`warehouse/carrier/serviceLevel`, parcels joined with `+`; a warehouse alone when excluded before carriers.'),
  warehouseIds: z.array(name),
  carrier: name.optional(),
  mode: z.enum(TRANSPORT_MODES).optional(),
  serviceLevel: name.optional(),
  score: z.number().optional(),
  breakdown: z.record(z.string(), z.number()).optional().describe('Points per scoring factor and rule bonus.'),
  metrics: z
    .strictObject({
      distanceKm: z.number().min(0),
      costMinor: minorUnits,
      deliveryDays: z.number().int().min(0),
      carbonGrams: z.number().min(0),
      capacityLeft: z.number(),
    })
    .optional(),
  excluded: z.strictObject({ reason: z.enum(EXCLUSION_REASONS), detail: z.string() }).optional(),
});

const routeSchema = z
  .strictObject({
    policyVersion: z.number().int().min(1).nullable().describe('Null when the built-in fallback decided.'),
    parcels: z.array(parcelPlanSchema).min(1),
    promisedDate: z.iso.date(),
    totalCostMinor: minorUnits,
    totalCarbonGrams: z.number().min(0),
    priorityHandling: z.boolean(),
    score: z.number(),
    explanation: z.strictObject({
      candidates: z.array(candidateSchema).describe('Scored candidates best first, then the excluded ones.'),
      candidatesOmitted: z.number().int().min(0),
      rulesFired: z.array(z.string()),
      note: z.string().optional(),
      rollout: z
        .strictObject({
          arm: z.enum(ROLLOUT_ARMS),
          share: z.number().min(0).max(1).describe('Strictly between 0 and 1.'),
          candidateVersion: z.number().int().min(1),
          liveVersion: z.number().int().min(1),
        })
        .optional()
        .describe("Set while a policy version is staged for a share of orders: the arm that decided (by a hash of the order id), the share and both versions."),
    }),
  })
  .meta({ id: 'Route', description: 'The routing decision and why it was made, as stored on the order, without the stock allocations.' });

const parcelSchema = z
  .strictObject({
    parcelId: name,
    warehouseId: name,
    carrier: name,
    trackingNumber: name,
    status: z.enum(PARCEL_STATUSES).optional().describe("The carrier's latest report; absent until its first callback."),
    statusAt: z.iso.datetime().optional().describe('When the carrier says `status` happened.'),
    exception: z
      .strictObject({
        code: z.enum(DELIVERY_EXCEPTION_CODES),
        at: z.iso.datetime().describe('When the carrier says it happened.'),
      })
      .optional()
      .describe("The latest delivery exception the carrier reported, until the parcel's next status; a code, never the carrier's words."),
  })
  .meta({ id: 'Parcel', description: 'A parcel booked with a carrier, with what the carrier last reported about it.' });

const shipmentSchema = z
  .strictObject({ parcels: z.array(parcelSchema).min(1) })
  .meta({ id: 'Shipment', description: 'The parcels booked with carriers, with their tracking numbers.' });

/** What an event about one parcel carries besides the order: which parcel, with the route and every parcel. */
const parcelEventData = {
  route: routeSchema,
  shipment: shipmentSchema,
  parcel: parcelSchema.describe('The parcel the carrier reported on, as it now stands.'),
};

const commonData = {
  customerTier: z.enum(CUSTOMER_TIERS),
  currency: z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217.'),
  totals: z.strictObject({ itemCount: units, amount: minorUnits }),
  lines: z.array(lineSchema).min(1),
  shipTo: shipToSchema,
  deliveryPreference: z.enum(DELIVERY_PREFERENCES).optional(),
};

/** What the order's status can have been just before `status`: the lifecycle, as partners can rely on it. */
function previousStatusSchema(status: OrderStatus) {
  const predecessors = ORDER_STATUSES.filter((from) => canTransition(from, status));
  return predecessors.length === 0 ? z.null() : z.enum(predecessors);
}

function eventSchema<const T extends string, S extends z.ZodType, P extends z.ZodType, D extends z.ZodRawShape>(
  type: T,
  description: string,
  statuses: { status: S; previousStatus: P },
  data: D,
) {
  return z
    .strictObject({
      eventId: z.string().regex(/^.+:[1-9][0-9]*$/).describe('`<orderId>:<sequence>`: the same on every redelivery, to deduplicate on.'),
      schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
      type: z.literal(type).describe('Equals the EventBridge detail-type.'),
      orderId: name,
      sequence: z
        .number()
        .int()
        .min(1)
        .describe("The order's version after the transition: consecutive per order, to order events and spot gaps."),
      occurredAt: z.iso.datetime(),
      status: statuses.status,
      previousStatus: statuses.previousStatus,
      channel: name,
      channelOrderId: z
        .string()
        .regex(CHANNEL_ORDER_ID)
        .optional()
        .describe("The channel's own id; absent for an order placed before ids were limited to this character set."),
      data: z.strictObject({ ...commonData, ...data }),
    })
    .meta({ title: type, description });
}

/** A transition into `status`. */
function orderEventSchema<const T extends string, const S extends OrderStatus, D extends z.ZodRawShape>(
  type: T,
  status: S,
  description: string,
  data: D,
) {
  return eventSchema(type, description, { status: z.literal(status), previousStatus: previousStatusSchema(status) }, data);
}

/**
 * A change that keeps the status, in one of `statuses`: `previousStatus` equals `status`, or is
 * one of `reopened` (a final status the change takes the order out of).
 */
function amendmentEventSchema<const T extends string, D extends z.ZodRawShape>(
  type: T,
  statuses: readonly [OrderStatus, ...OrderStatus[]],
  description: string,
  data: D,
  reopened: readonly OrderStatus[] = [],
) {
  return eventSchema(type, description, { status: z.enum(statuses), previousStatus: z.enum([...statuses, ...reopened]) }, data);
}

/** Every event type the pipeline publishes, with its detail schema. */
export const ORDER_EVENT_SCHEMAS = [
  orderEventSchema('OrderPlaced', 'PLACED', 'A channel placed the order.', {}),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.SHIPPING_ADDRESS_CHANGED,
    ADDRESS_CHANGEABLE_STATUSES,
    'The channel changed the shipping address before routing; the event carries the new region and city (no street).',
    {},
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.FULFILMENT_REDRIVEN,
    IN_FLIGHT_STATUSES,
    'The order missed its deadline in its status, or an operator retried or released it, and its workflow started again from there; with `giveUp` the workflow undoes what was done and closes the order as FAILED. An operator\'s retry of a FAILED order (`previousStatus` FAILED) starts it again from PLACED: its stock was given back when it failed.',
    {
      redrive: z.strictObject({
        count: units.describe('Re-drives of this order so far.'),
        giveUp: z.boolean().optional().describe('Set on the last re-drive: the order will be compensated and closed as FAILED.'),
      }),
    },
    ['FAILED'],
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.PERSONAL_DATA_ERASED,
    ENDED_STATUSES,
    "An operator erased the customer's personal data; the order keeps its lines, totals and route. One event per order, with no customer id.",
    {},
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.HELD,
    IN_FLIGHT_STATUSES,
    'An operator held the order: it does not go on to the shipment request until released (an `OrderFulfilmentRedriven` event follows the release).',
    {},
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.PARCEL_SHIPPED,
    ['SHIPPED'],
    "A carrier has another parcel of an order it already ships (the parcel that shipped the order is in `OrderShipped`).",
    parcelEventData,
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.PARCEL_DELIVERED,
    ['SHIPPED'],
    'One parcel of several is delivered while others are on their way (the last one delivers the order: `OrderDelivered`).',
    parcelEventData,
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.DELIVERY_EXCEPTION,
    ['SHIPMENT_REQUESTED', 'SHIPPED'],
    "A carrier reported a problem with a parcel: a failed delivery attempt, damage, loss, a refusal or an address problem (`parcel.exception.code`). The parcel keeps its status; the carrier's next report moves it on.",
    parcelEventData,
  ),
  orderEventSchema('OrderStockLocked', 'STOCK_LOCKED', 'Available-to-promise stock is reserved for every line.', {}),
  orderEventSchema('OrderRouted', 'ROUTED', 'Warehouses and carriers are chosen.', { route: routeSchema }),
  orderEventSchema('OrderShipmentRequested', 'SHIPMENT_REQUESTED', 'Every parcel is booked with its carrier.', {
    route: routeSchema,
    shipment: shipmentSchema,
  }),
  orderEventSchema('OrderShipped', 'SHIPPED', 'The carrier has the parcels.', { route: routeSchema, shipment: shipmentSchema }),
  orderEventSchema('OrderDelivered', 'DELIVERED', 'The parcels are delivered.', { route: routeSchema, shipment: shipmentSchema }),
  orderEventSchema('OrderRejected', 'REJECTED', 'The order cannot be fulfilled; whatever was reserved is released.', {
    reason: z.enum(REJECTION_REASONS),
    route: routeSchema.optional(),
  }),
  orderEventSchema('OrderCancelled', 'CANCELLED', 'The channel cancelled the order before its shipment was requested.', {
    reason: z.enum(CANCELLATION_REASONS).optional().describe("The channel's reason code; never the note it may have written."),
    route: routeSchema.optional(),
  }),
  orderEventSchema('OrderFailed', 'FAILED', 'A step failed for good; what was done is undone.', {
    reason: z.string().describe('`<step>: <error name>`.'),
    route: routeSchema.optional(),
  }),
] as const;

const anyOrderEventSchema = z.discriminatedUnion('type', ORDER_EVENT_SCHEMAS);

/** Every event schema the pipeline publishes: the order's, then the return's (return-events.ts). */
export const PUBLISHED_EVENT_SCHEMAS = [...ORDER_EVENT_SCHEMAS, ...RETURN_EVENT_SCHEMAS] as const;

export type OrderEvent = z.infer<typeof anyOrderEventSchema>;
export type DetailType = OrderEvent['type'];

/** Any event the pipeline publishes: an order's or a return's. */
export type PublishedEvent = OrderEvent | ReturnEvent;

function withoutAllocations({ allocations: _allocations, ...route }: NonNullable<Order['route']>) {
  return route;
}

/** The reason, route, re-drive count and shipment an event about the order's progress carries. */
function outcomeOf(order: Order, last: Transition | undefined) {
  const reason = order.rejectionReason ?? order.failureReason ?? cancellationCodeOf(order);
  return {
    ...(reason && ['REJECTED', 'FAILED', 'CANCELLED'].includes(order.status) ? { reason } : {}),
    ...(order.route && last?.amendment !== 'FULFILMENT_REDRIVEN' ? { route: withoutAllocations(order.route) } : {}),
    ...(last?.amendment === 'FULFILMENT_REDRIVEN' && order.fulfilmentRedrives ? { redrive: order.fulfilmentRedrives } : {}),
    // Parcels with their latest carrier status; the carrier event count is only a write guard.
    ...(order.shipment ? { shipment: { parcels: order.shipment.parcels } } : {}),
    ...(last?.parcelId ? { parcel: order.shipment?.parcels.find((parcel) => parcel.parcelId === last.parcelId) } : {}),
  };
}

/**
 * The event for the order's latest history entry (a transition or an amendment), checked
 * against its schema: it throws EventContractBroken rather than return an event partners
 * were not promised.
 */
export function orderEventOf(order: Order): OrderEvent {
  const last = order.history[order.history.length - 1];
  const erasure = last?.amendment === 'PERSONAL_DATA_ERASED';
  const type = last ? detailTypeOf(last) : DETAIL_TYPES[order.status];
  const candidate = {
    eventId: eventIdOf(order.orderId, order.version),
    schemaVersion: EVENT_SCHEMA_VERSION,
    type,
    orderId: order.orderId,
    sequence: order.version,
    occurredAt: last?.at ?? order.updatedAt,
    status: order.status,
    previousStatus: last?.from ?? null,
    channel: order.channel,
    ...(CHANNEL_ORDER_ID.test(order.channelOrderId) ? { channelOrderId: order.channelOrderId } : {}),
    data: {
      customerTier: order.customer.tier,
      currency: order.currency,
      totals: order.totals,
      lines: order.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      shipTo: {
        country: order.shipTo.country,
        ...(isPublishablePlace(order.shipTo.region) ? { region: order.shipTo.region } : {}),
        ...(isPublishablePlace(order.shipTo.city) ? { city: order.shipTo.city } : {}),
        phone: order.maskedPhone,
      },
      ...(order.deliveryPreference ? { deliveryPreference: order.deliveryPreference } : {}),
      // An erasure says which order it was and what is left of it; how the order ended was published before.
      ...(erasure ? {} : outcomeOf(order, last)),
    },
  };
  return checkedEvent(anyOrderEventSchema, type, candidate);
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
