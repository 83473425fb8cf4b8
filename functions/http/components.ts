/**
 * The request and response bodies as the OpenAPI document names them (`components/schemas`).
 * Request bodies are the zod schemas the handlers validate with; response shapes are described
 * here (the handlers build them from domain types). The route table (routes.ts) points at these.
 */
import * as z from 'zod';
import { ACTOR_KINDS, AMENDMENTS, CANCELLATION_REASONS, ORDER_STATUSES, REJECTION_REASONS } from '../domain/order.ts';
import { CUSTOMER_TIERS } from '../domain/vocabulary.ts';
import { ERASED } from '../domain/erasure.ts';
import { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES } from '../domain/events.ts';
import { routingPolicySchema } from '../domain/routing/routing-policy.ts';
import { QUOTE_OPTIONS } from '../domain/routing/quote-outcome.ts';
import { EXCLUSION_REASONS, TRANSPORT_MODES } from '../domain/routing/routing-policy.ts';
import { PAYMENT_STATUSES } from '../domain/placement-payment.ts';
import { LOCK_STOCK_AT } from '../domain/channel-settings.ts';
import { RETURN_REASON_CODES, returnPolicySchema } from '../domain/return-policy.ts';
import { RETURN_STATUSES } from '../domain/returns.ts';
import {
  channelSchema,
  inspectionRequestSchema,
  orderIdSchema,
  orderRequestSchema,
  paymentReportSchema,
  quoteIdSchema,
  quoteRequestSchema,
  refundConfirmationSchema,
  returnIdSchema,
  returnRequestSchema,
  shipToSchema,
  skuSchema,
} from './schemas.ts';
import { carrierEventSchema } from './carrier-event-request.ts';

/** A schema under `components/schemas/<id>`, referenced wherever it is used. */
const named = <Schema extends z.ZodType>(id: string, schema: Schema): Schema => schema.meta({ id }) as Schema;

/** What API Gateway itself answers when it refuses a request (401, 403, 413, 429) or its integration fails (500, 504). */
export const GatewayError = named(
  'GatewayError',
  z
    .object({ message: z.string().describe('e.g. "Unauthorized", "Forbidden", "Too Many Requests"') })
    .describe('API Gateway\'s own answer, application/json, before or instead of the handler'),
);

export const Problem = named('Problem',
  z
    .object({
      type: z.string().describe('A relative URI naming the problem, listed in docs/problems.md'),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      instance: z.string().optional().describe('The request path'),
      errors: z
        .array(z.object({ path: z.string(), pointer: z.string(), message: z.string() }))
        .optional()
        .describe('Every failing field of a 400 validation-error'),
    })
    .describe('RFC 9457 problem details; further members depend on the type (e.g. `orderId`, `currentStatus`)'),
);

export const ShipTo = named('ShipTo', shipToSchema);
export const PlaceOrderRequest = named('PlaceOrderRequest', orderRequestSchema);

const erased = z.literal(ERASED);
/** A ship-to after erasure: the country, and the region and city when they are place names. */
const ErasedShipTo = named(
  'ErasedShipTo',
  z.object({ name: erased, phone: erased, country: z.string(), region: z.string(), city: z.string(), postalCode: erased, line1: erased }),
);

const transitionSchema = z.object({
  from: z.enum(ORDER_STATUSES).nullable(),
  to: z.enum(ORDER_STATUSES),
  at: z.iso.datetime(),
  reason: z.string().optional(),
  amendment: z.enum(AMENDMENTS).optional().describe('Set on a recorded change that keeps the status (but an operator\'s retry of a FAILED order: FAILED to PLACED)'),
  by: z
    .object({ kind: z.enum(ACTOR_KINDS), id: z.string() })
    .optional()
    .describe('Who made the change: a token\'s subject (channel or operator), a workflow step, a carrier, or the reconciler'),
  changed: z
    .array(z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() }))
    .optional()
    .describe('Fields the change set, with old and new values; personal fields (`shipTo.*`) by name only'),
});

export const AcceptedOrder = named('AcceptedOrder',
  z.object({
    orderId: orderIdSchema.describe('The same for every copy of the request: derived from the channel and its order id'),
    status: z.literal('ACCEPTED'),
    channelOrderId: z.string(),
    location: z.string().describe('Where the order is once the drainer has landed it; 404 until then'),
  }),
);

const decision = z.record(z.string(), z.unknown());
export const Order = named('Order',
  z.object({
    ...orderRequestSchema.shape,
    channel: channelSchema,
    customer: z.object({ id: z.string().describe('Empty once the personal data is erased'), tier: z.enum(CUSTOMER_TIERS) }),
    shipTo: z.union([ShipTo, ErasedShipTo]),
    orderId: orderIdSchema,
    status: z.enum(ORDER_STATUSES),
    version: z.number().int().positive().describe('Increments with every history entry; the sequence of its event'),
    totals: z.object({ itemCount: z.number().int(), amount: z.number().int() }),
    placedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    history: z.array(transitionSchema),
    rejectionReason: z.enum(REJECTION_REASONS).optional(),
    failureReason: z.string().optional(),
    cancellationReason: z.enum(CANCELLATION_REASONS).optional(),
    cancellationNote: z.string().optional().describe("The channel's note on the cancellation; never published"),
    personalDataErasedAt: z.iso.datetime().optional().describe("When the customer's personal data was erased from the order"),
    route: decision.optional().describe('The routing decision with its explanation (docs/routing-policy.md)'),
    routingExplanation: decision.optional().describe('Why routing found nothing, on an order rejected NO_ROUTE'),
    closing: z
      .object({ version: z.number().int().positive(), rejectionReason: z.enum(REJECTION_REASONS).optional() })
      .optional()
      .describe('Set once compensation of the order began, on the version it began on (docs/decisions/0001)'),
    shipment: z
      .object({
        parcels: z.array(z.object({ parcelId: z.string(), warehouseId: z.string(), carrier: z.string(), trackingNumber: z.string() })),
      })
      .optional(),
    payment: z
      .object({
        status: z.enum(PAYMENT_STATUSES),
        provider: z.string().optional(),
        reference: z.string().optional(),
        lockStockAt: z.enum(LOCK_STOCK_AT).optional().describe('For an order placed awaiting payment: when its stock is locked'),
        dueAt: z.iso.datetime().optional().describe('For an order placed awaiting payment: when it is cancelled unless paid'),
        stockLocked: z.boolean().optional().describe('Set once its stock was locked while it waited for payment'),
        decidedAt: z.iso.datetime().optional(),
      })
      .optional()
      .describe('The payment gate (absent: paid before placing, nothing said)'),
  }),
);

export const PaymentReport = named('PaymentReport', paymentReportSchema);

export const OrderPage = named('OrderPage',
  z.object({
    items: z.array(
      z.object({
        orderId: orderIdSchema,
        channel: channelSchema,
        channelOrderId: z.string(),
        status: z.enum(ORDER_STATUSES),
        currency: z.string(),
        totals: z.object({ itemCount: z.number().int(), amount: z.number().int() }),
        placedAt: z.iso.datetime(),
        updatedAt: z.iso.datetime(),
      }),
    ),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  }),
);

const detailTypes = [...new Set([...Object.values(DETAIL_TYPES), ...Object.values(AMENDMENT_DETAIL_TYPES)])] as [string, ...string[]];
export const Timeline = named('Timeline',
  z.object({
    orderId: orderIdSchema,
    status: z.enum(ORDER_STATUSES),
    version: z.number().int().positive(),
    entries: z.array(
      transitionSchema.extend({
        sequence: z.number().int().positive(),
        event: z.object({
          eventId: z.string().describe('`<orderId>:<sequence>`, the id of the event on the bus'),
          detailType: z.enum(detailTypes),
        }),
      }),
    ),
  }),
);

const stockCounts = { onHand: z.number().int(), reserved: z.number().int() };
export const Inventory = named('Inventory',
  z.object({
    sku: skuSchema,
    warehouses: z.record(z.string(), z.object({ ...stockCounts, available: z.number().int() })),
    ...stockCounts,
    availableToPromise: z.number().int(),
    shardCount: z.number().int().positive(),
    shards: z.array(z.object({ shard: z.number().int(), ...stockCounts, availableToPromise: z.number().int() })),
  }),
);

export const RoutingPolicy = named('RoutingPolicy', routingPolicySchema);
const policyVersion = {
  version: z.number().int().positive(),
  updatedAt: z.iso.datetime(),
  activatedFrom: z.number().int().positive().optional().describe('Set on a rollback: the earlier version it made live again'),
};
export const StoredRoutingPolicy = named('StoredRoutingPolicy', z.object({ ...policyVersion, policy: RoutingPolicy }));
const stagedCandidate = z
  .object({
    version: z.number().int().positive(),
    share: z.number().gt(0).lt(1).describe('Share of orders it routes, by a hash of the order id'),
    stagedAt: z.iso.datetime(),
  })
  .nullable()
  .describe('The version staged beside the live one for a share of orders; null when none is');
export const RoutingPolicyStage = named('RoutingPolicyStage',
  z.object({ live: z.number().int().positive().describe('The live version, which routes every other order'), candidate: stagedCandidate }),
);
export const RoutingPolicyVersions = named('RoutingPolicyVersions',
  z.object({
    live: z.number().int().positive().nullable().describe('The live version; null before the first save'),
    candidate: stagedCandidate,
    items: z.array(z.object(policyVersion)).describe('Every saved version, newest first'),
  }),
);

const dryRunOutcome = z.union([
  z.object({
    routed: z.literal(true),
    warehouses: z.array(z.string()),
    carriers: z.array(z.string()),
    parcels: z.number().int().positive(),
    costMinor: z.number().int(),
    carbonGrams: z.number(),
    promisedDate: z.iso.date(),
    promisedDays: z.number().int(),
  }),
  z.object({ routed: z.literal(false), reason: z.string() }),
]);
const dryRunTotals = z.object({
  routed: z.number().int(),
  rejected: z.number().int(),
  costMinor: z.number().int(),
  carbonGrams: z.number(),
  averagePromisedDays: z.number().nullable(),
  splitRate: z.number().nullable().describe('Share of routed orders in more than one parcel'),
});

export const RoutingDryRunReport = named(
  'RoutingDryRunReport',
  z.object({
    liveVersion: z.number().int().positive().nullable(),
    orders: z.array(
      z.object({ orderId: orderIdSchema, channel: z.string(), live: dryRunOutcome, draft: dryRunOutcome, changed: z.boolean() }),
    ),
    changed: z.number().int().describe('Orders the draft routes differently'),
    live: dryRunTotals,
    draft: dryRunTotals,
    delta: dryRunTotals.describe('draft − live'),
  }),
);

export const QuoteRequest = named('QuoteRequest', quoteRequestSchema);

const quotedOption = z.object({
  priceMinor: z.number().int().min(0).describe('Shipping price: the sum of the parcels\' rate-card costs, in minor units of `currency`'),
  currency: z.string().describe('ISO 4217: the routing policy\'s `currency`'),
  promisedDate: z.iso.date().describe('Today in the network\'s time zone plus the slowest parcel\'s handling and transit days'),
  carbonGrams: z.number().min(0).describe('g CO2e over all parcels'),
  warehouseIds: z.array(z.string()),
  carriers: z.array(z.string()),
  parcels: z
    .array(
      z.object({
        warehouseId: z.string(),
        carrier: z.string(),
        serviceLevel: z.string(),
        mode: z.enum(TRANSPORT_MODES),
        lines: z.array(z.object({ sku: skuSchema, quantity: z.number().int().positive() })),
      }),
    )
    .describe('The split: one parcel per warehouse shipping part of the order'),
});

const quoteRollout = z
  .object({ arm: z.enum(['live', 'candidate']), share: z.number(), candidateVersion: z.number().int(), liveVersion: z.number().int() })
  .optional()
  .describe('Set while a policy version is staged: the arm the quote fell in (by its id) and both versions');

export const Quote = named(
  'Quote',
  z.union([
    z.object({
      quoteId: quoteIdSchema.describe('Reference it as `quote.quoteId` in `POST /orders` until `validUntil`'),
      validUntil: z.iso.datetime(),
      policyVersion: z.number().int().positive().nullable().describe('The routing policy version that answered'),
      rollout: quoteRollout,
      options: z.object(Object.fromEntries(QUOTE_OPTIONS.map((name) => [name, quotedOption])) as Record<(typeof QUOTE_OPTIONS)[number], typeof quotedOption>),
    }),
    z.object({
      quoteId: z.null(),
      policyVersion: z.number().int().positive().nullable(),
      rollout: quoteRollout,
      options: z.null(),
      noOption: z
        .object({
          summary: z.string(),
          excluded: z.partialRecord(z.enum(EXCLUSION_REASONS), z.number().int()).describe('Excluded candidates by reason (docs/routing-policy.md)'),
        })
        .describe('No warehouse and carrier can serve these lines there now: nothing to reference, no quote id'),
    }),
  ]),
);

export const CarrierEvent = named('CarrierEvent', carrierEventSchema);

export const CarrierEventOutcome = named(
  'CarrierEventOutcome',
  z.object({
    eventId: z.string(),
    outcome: z.enum(['applied', 'stale', 'duplicate']),
    orderId: orderIdSchema,
    parcelId: z.string(),
    orderStatus: z.enum(ORDER_STATUSES),
    returnId: returnIdSchema.optional().describe("Set when the tracking number is a return parcel's: the return the event moved"),
    returnStatus: z.enum(RETURN_STATUSES).optional(),
  }),
);

export const ReturnRequest = named('ReturnRequest', returnRequestSchema);
export const InspectionRequest = named('InspectionRequest', inspectionRequestSchema);
export const RefundConfirmation = named('RefundConfirmation', refundConfirmationSchema);

export const Return = named('Return',
  z.object({
    returnId: returnIdSchema,
    orderId: orderIdSchema,
    channel: channelSchema,
    channelOrderId: z.string(),
    status: z.enum(RETURN_STATUSES),
    version: z.number().int().positive().describe('Increments with every history entry; the sequence of its event'),
    reasonCode: z.enum(RETURN_REASON_CODES),
    customerTier: z.enum(CUSTOMER_TIERS),
    currency: z.string(),
    lines: z.array(z.object({ sku: skuSchema, quantity: z.number().int().positive(), unitPrice: z.number().int(), warehouseId: z.string() })),
    policyVersion: z.number().int().positive().nullable().describe('The return policy version that allowed it; null for the built-in default'),
    requestedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    history: z.array(
      z.object({
        from: z.enum(RETURN_STATUSES).nullable(),
        to: z.enum(RETURN_STATUSES),
        at: z.iso.datetime(),
        reason: z.string().optional(),
        by: z.object({ kind: z.enum(ACTOR_KINDS), id: z.string() }).optional(),
      }),
    ),
    label: z
      .object({ carrier: z.string(), trackingNumber: z.string(), parcelId: z.string(), warehouseId: z.string(), status: z.string().optional(), statusAt: z.string().optional() })
      .optional(),
    inspection: z.object({ lines: z.array(z.object({ sku: skuSchema, sellable: z.number().int(), damaged: z.number().int() })) }).optional(),
    refund: z
      .object({ amount: z.number().int().describe('Minor units'), currency: z.string(), units: z.number().int(), reference: z.string().optional(), refundedAt: z.string().optional() })
      .optional(),
  }),
);
export const ReturnList = named('ReturnList', z.object({ orderId: orderIdSchema, items: z.array(Return) }));

export const ReturnPolicy = named('ReturnPolicyDocument', returnPolicySchema);
export const StoredReturnPolicy = named('StoredReturnPolicy', z.object({ ...policyVersion, policy: ReturnPolicy }));

export const OpenApiDocument = z.record(z.string(), z.unknown());

export const ErasureReport = named(
  'ErasureReport',
  z.object({
    erased: z.number().int().min(0).describe('Orders erased by this request'),
    pending: z.array(orderIdSchema).describe('Orders still in flight, left as they are: erase again once they have ended'),
    complete: z.boolean().describe('False when the request stopped at its limit of orders: send it again for the rest'),
  }),
);
