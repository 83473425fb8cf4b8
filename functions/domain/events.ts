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
import { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES, detailTypeOf, eventIdOf, type OrderDetailType, timelineOf, type TimelineEntry } from './order-timeline.ts';

export { EventContractBroken };
import {
  ADDRESS_CHANGEABLE_STATUSES,
  CANCELLATION_REASONS,
  canTransition,
  cancellationCodeOf,
  ENDED_STATUSES,
  HOLD_WINDOW,
  ORDER_STATUSES,
  REJECTION_REASONS,
  type Actor,
  type Amendment,
  type Order,
  type OrderStatus,
  type Transition,
} from './order.ts';
import { EXCLUSION_REASONS, TRANSPORT_MODES } from './routing/routing-policy.ts';
import { QUOTE_OPTIONS, QUOTE_REFUSALS } from './routing/quote-outcome.ts';
import { ROLLOUT_ARMS } from './routing/rollout.ts';
import { CUSTOMER_TIERS, DELIVERY_EXCEPTION_CODES, DELIVERY_PREFERENCES, PARCEL_STATUSES } from './vocabulary.ts';
import { IN_FLIGHT_STATUSES } from './deadlines.ts';
import { CHANNEL_ORDER_ID, isPublishablePlace, PUBLISHABLE_PLACE } from './free-text.ts';
import { PAYMENT_STATUSES, type Payment } from './placement-payment.ts';
import { LOCK_STOCK_AT } from './channel-settings.ts';

import { checkedEvent, EVENT_SCHEMA_VERSION } from './event-envelope.ts';
import { RETURN_DETAIL_TYPES, RETURN_EVENT_SCHEMAS, type ReturnEvent } from './return-events.ts';

export { EVENT_SCHEMA_VERSION };
// Named apart from the schemas (order-timeline.ts), so the timeline route does not build them; the same names here.
export { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES, detailTypeOf, eventIdOf, timelineOf, type TimelineEntry };

/** Every detail-type the pipeline publishes: one per order status, one per amendment, one per return status (a few statuses and amendments share one). */
export const ALL_DETAIL_TYPES = [...new Set([...Object.values(DETAIL_TYPES), ...Object.values(AMENDMENT_DETAIL_TYPES), ...Object.values(RETURN_DETAIL_TYPES)])];

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
      quote: z
        .strictObject({
          quoteId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/).describe('The quote the order referenced (`POST /quotes`).'),
          option: z.enum(QUOTE_OPTIONS),
          honoured: z.boolean().describe('The route is the quoted option: same warehouses, carriers, services and parcels.'),
          reason: z.enum(QUOTE_REFUSALS).optional().describe('Why not, when not honoured.'),
        })
        .optional()
        .describe('Set when the order referenced a delivery-option quote.'),
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
  payment: z
    .strictObject({
      status: z.enum(PAYMENT_STATUSES),
      provider: z.string().regex(CHANNEL_ORDER_ID).optional().describe('The payment provider, as the channel named it: an identifier.'),
      lockStockAt: z.enum(LOCK_STOCK_AT).optional().describe('For an order placed awaiting payment: when its stock is locked.'),
      dueAt: z.iso.datetime().optional().describe('For an order placed awaiting payment: when it is cancelled unless paid.'),
    })
    .optional()
    .describe("Absent for an order paid before placing that said nothing about it. Never the provider's payment reference."),
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
  eventSchema(
    'OrderPlaced',
    'A channel placed the order: PLACED, or PAYMENT_PENDING when placed awaiting its payment (`data.payment`).',
    { status: z.enum(['PLACED', 'PAYMENT_PENDING']), previousStatus: z.null() },
    {},
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.PAYMENT_AUTHORIZED,
    ['PLACED', 'STOCK_LOCKED'],
    'The channel reported the payment authorized: fulfilment goes on, from STOCK_LOCKED when the stock was locked while the order waited, else from PLACED.',
    {},
    ['PAYMENT_PENDING'],
  ),
  eventSchema(
    AMENDMENT_DETAIL_TYPES.PAYMENT_FAILED,
    'The channel reported the payment failed: the order is cancelled (reason PAYMENT_FAILED) and any stock it held is given back.',
    { status: z.literal('CANCELLED'), previousStatus: z.literal('PAYMENT_PENDING') },
    { reason: z.literal('PAYMENT_FAILED') },
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.SHIPPING_ADDRESS_CHANGED,
    ADDRESS_CHANGEABLE_STATUSES,
    "The channel changed the shipping address before routing, or in the order's hold window (`previousStatus` ROUTED, `status` STOCK_LOCKED: its route is dropped and it is routed again for the new address, an `OrderRouted` follows); the event carries the new region and city (no street).",
    {},
    ['ROUTED'],
  ),
  amendmentEventSchema(
    AMENDMENT_DETAIL_TYPES.FULFILMENT_REDRIVEN,
    IN_FLIGHT_STATUSES,
    'The order missed its deadline in its status, or an operator retried or released it, or its hold window ended (`holdWindowEnded`), and its workflow started again from there; with `giveUp` the workflow undoes what was done and closes the order as FAILED. An operator\'s retry of a FAILED order (`previousStatus` FAILED) starts it again from PLACED: its stock was given back when it failed.',
    {
      holdWindowEnded: z.literal(true).optional().describe("Set when the re-drive is the end of the channel's hold window (its timer), not an operator's release."),
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
    "An operator held the order, or it entered its channel's hold window (`holdWindow`): it does not go on to the shipment request until released (an `OrderFulfilmentRedriven` event follows the release, by an operator or at the window's end). An operator's hold during a hold window replaces it (a second `OrderHeld`, without `holdWindow`).",
    {
      route: routeSchema.optional().describe('The route chosen, when the order was held ROUTED.'),
      holdWindow: z
        .strictObject({ until: z.iso.datetime().describe('When the window ends and the shipment request goes out, unless the order is held or cancelled meanwhile.') })
        .optional()
        .describe("Set when the hold is the channel's hold window (config/channels.json `holdSeconds`): the customer may still change the address or cancel until `until`."),
    },
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
  eventSchema(
    'OrderStockLocked',
    'Available-to-promise stock is reserved for every line; with `status` PAYMENT_PENDING the order waits for its payment with its stock (its channel locks stock at placement).',
    { status: z.enum(['STOCK_LOCKED', 'PAYMENT_PENDING']), previousStatus: z.enum(['PLACED', 'PAYMENT_PENDING']) },
    {},
  ),
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
  orderEventSchema('OrderCancelled', 'CANCELLED', 'The channel cancelled the order before its shipment was requested, or (reason PAYMENT_TIMEOUT) its payment did not come within its channel\'s timeout.', {
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
// The schemas name exactly the detail-types order-timeline.ts gives history entries: a compile error otherwise.
true satisfies [DetailType] extends [OrderDetailType] ? ([OrderDetailType] extends [DetailType] ? true : false) : false;

/** Any event the pipeline publishes: an order's or a return's. */
export type PublishedEvent = OrderEvent | ReturnEvent;

const isHoldWindow = (by: Actor | undefined) => by?.kind === HOLD_WINDOW.kind && by.id === HOLD_WINDOW.id;

function withoutAllocations({ allocations: _allocations, ...route }: NonNullable<Order['route']>) {
  return route;
}

/** What events say of the payment: its status and the provider, never the reference (a provider's id may lead to the payer). */
function publishedPayment({ status, provider, lockStockAt, dueAt }: Payment) {
  return {
    status,
    ...(provider && CHANNEL_ORDER_ID.test(provider) ? { provider } : {}),
    ...(lockStockAt ? { lockStockAt } : {}),
    ...(dueAt ? { dueAt } : {}),
  };
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
    ...(last?.amendment === 'HELD' && order.hold?.until ? { holdWindow: { until: order.hold.until } } : {}),
    ...(last?.amendment === 'FULFILMENT_REDRIVEN' && isHoldWindow(last.by) ? { holdWindowEnded: true as const } : {}),
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
      ...(order.payment ? { payment: publishedPayment(order.payment) } : {}),
      // An erasure says which order it was and what is left of it; how the order ended was published before.
      ...(erasure ? {} : outcomeOf(order, last)),
    },
  };
  return checkedEvent(anyOrderEventSchema, type, candidate);
}
