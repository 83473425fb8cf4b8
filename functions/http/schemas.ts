/**
 * The HTTP contract's request shapes. Objects are strict: a misspelt field is
 * reported, not silently dropped.
 */
import * as z from 'zod';
import { CANCELLATION_REASONS, ORDER_STATUSES } from '../domain/order.ts';
import { ATTRIBUTION_LIMITS, DEVICE_CLASSES, TOUCHPOINT_ROLES } from '../domain/attribution.ts';
import { CHANNEL_ORDER_ID, CHANNEL_ORDER_ID_RULE, personalDataIn, personalDataInPaymentIdentifier } from '../domain/free-text.ts';
import { MAX_SHARDS } from '../domain/stock.ts';
import { IN_FLIGHT_LISTING_HINT, IN_FLIGHT_LISTING_HINT_FOR_OPERATORS, isRestingStatus } from '../domain/at-rest.ts';
import { CUSTOMER_TIERS, DELIVERY_PREFERENCES, RETURN_REASON_CODES } from '../domain/vocabulary.ts';
import { QUOTE_OPTIONS } from '../domain/routing/quote-outcome.ts';
import { PAYMENT_REPORT_STATUSES } from '../domain/payment.ts';
import { PLACEMENT_PAYMENT_STATUSES } from '../domain/placement-payment.ts';
import { IDENTIFIER_RULES, MAX_POLICY_VERSION } from './identifiers.ts';

/**
 * The identifiers of identifiers.ts as zod's full build, made from the same rules: the request shapes
 * and the OpenAPI document take these (its generator reads the full build's metadata).
 */
const ruled = (rule: { pattern: RegExp; message: string }) => z.string().regex(rule.pattern, rule.message);
const identifier = ruled(IDENTIFIER_RULES.identifier);
export const skuSchema = identifier;
export const channelSchema = ruled(IDENTIFIER_RULES.channel);
export const orderIdSchema = ruled(IDENTIFIER_RULES.orderId);
export const quoteIdSchema = ruled(IDENTIFIER_RULES.quoteId);
export const returnIdSchema = ruled(IDENTIFIER_RULES.returnId);
export const idempotencyKeySchema = ruled(IDENTIFIER_RULES.idempotencyKey);
export const policyVersionSchema = z.coerce.number().int().positive().max(MAX_POLICY_VERSION);

// Used as keys of plain objects (per-warehouse counts), so names objects already have are refused.
export const warehouseIdSchema = identifier.refine((id) => !(id in Object.prototype), 'This name is reserved; choose another');

/**
 * Characters a shop would not want stored in text: control characters (C0, DEL, C1; they break
 * labels, CSV exports and logs) and the bidirectional embeddings, overrides and isolates that
 * make text display differently from what it holds.
 */
const UNSAFE_TEXT = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const SAFE_TEXT_MESSAGE = 'Must not contain control characters or bidirectional overrides';
export const isSafeText = (value: string): boolean => !UNSAFE_TEXT.test(value);

const text = (max: number) => z.string().trim().min(1, 'Must not be empty').max(max).refine(isSafeText, SAFE_TEXT_MESSAGE);

/** ISO 4217 codes in use, as the runtime's ICU data knows them. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * Marketing text: safe, short, and refused with the kind of personal data it looks like
 * (functions/domain/free-text.ts says which patterns and why), since attribution is stored
 * as given and read by marketing tools that are entitled to no personal data.
 */
const notPersonal = (value: string | number, ctx: z.RefinementCtx) => {
  const kind = personalDataIn(String(value));
  if (kind) ctx.addIssue({ code: 'custom', message: `Looks like ${kind}: attribution must not hold personal data` });
};
const marketingText = text(ATTRIBUTION_LIMITS.textLength).superRefine(notPersonal);

const touchpointSchema = z.strictObject({
  channel: marketingText,
  campaign: marketingText.optional(),
  medium: marketingText.optional(),
  timestamp: z.iso.datetime({ offset: true, message: 'Must be an ISO 8601 date-time with a time zone' }).optional(),
  role: z.enum(TOUCHPOINT_ROLES).optional(),
  weight: z.number().min(0).max(1).optional(),
  deviceClass: z.enum(DEVICE_CLASSES).optional(),
});

/** Keys of `extra`: names, not values (no `@`, no spaces), and not names objects already have. */
const extraKey = identifier.refine((key) => !(key in Object.prototype), 'This name is reserved; choose another').superRefine(notPersonal);

/** Where the order came from: typed touchpoints and a bounded map of anything else, one level deep. */
const attributionSchema = z.strictObject({
  touchpoints: z.array(touchpointSchema).max(ATTRIBUTION_LIMITS.touchpoints).optional(),
  extra: z
    .record(extraKey, z.union([marketingText, z.number().superRefine(notPersonal), z.boolean()]))
    .refine((extra) => Object.keys(extra).length <= ATTRIBUTION_LIMITS.extraKeys, `At most ${ATTRIBUTION_LIMITS.extraKeys} keys`)
    .optional(),
});

/** The channel's id of its customer: a pseudonym, personal data for as long as the channel can tie it to a person. */
export const customerIdSchema = text(128);

export const shipToSchema = z.strictObject({
  name: text(200),
  phone: z.string().regex(/^\+?[0-9][0-9 ().-]{4,31}$/, 'Must be a phone number'),
  country: z.string().regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 code such as CN'),
  region: text(100),
  city: text(100),
  postalCode: text(20),
  line1: text(200),
});

const lineQuantity = z.number().int().positive().max(10_000);
const MAX_LINES = 50;
const productAttributesSchema = z.strictObject({
  fragile: z.boolean().optional(),
  liquid: z.boolean().optional(),
  coldChain: z.boolean().optional(),
  hazmat: z.boolean().optional(),
  weightGrams: z.number().int().positive().max(1_000_000).optional(),
});

/**
 * A payment provider's name or its id of a payment: an identifier (1-64 letters, digits, `.`, `_`,
 * `:`, `-`), refused when it looks like personal data (an e-mail address, a phone, card or ID number:
 * functions/domain/free-text.ts), since it is stored as given and a provider's id must not lead to the payer.
 * A provider's all-digit transaction number in its published layout (Alipay, WeChat Pay: free-text.ts) passes.
 */
const paymentIdentifier = z
  .string()
  .regex(CHANNEL_ORDER_ID, CHANNEL_ORDER_ID_RULE)
  .superRefine((value, ctx) => {
    const kind = personalDataInPaymentIdentifier(value);
    if (kind) ctx.addIssue({ code: 'custom', message: `Looks like ${kind}: a payment identifier must not hold personal data` });
  });

/** `payment` when placing: absent means authorized before placing (today's behaviour). */
export const placementPaymentSchema = z.strictObject({
  status: z.enum(PLACEMENT_PAYMENT_STATUSES).describe('`pending`: the order waits in PAYMENT_PENDING for `POST /orders/{orderId}/payment`.'),
  provider: paymentIdentifier.optional(),
  reference: paymentIdentifier.optional().describe("The provider's id of the payment; kept on the order, never published."),
});

/** `POST /orders/{orderId}/payment`: what the payment provider decided. */
export const paymentReportSchema = z.strictObject({
  status: z.enum(PAYMENT_REPORT_STATUSES),
  reference: paymentIdentifier.describe("The provider's id of the payment; kept on the order, never published."),
});

/**
 * `POST /orders`. The channel is the token's; `channel` in the body is optional and, when
 * sent (integrations written before tokens carried it), must name the token's channel.
 */
export const orderRequestSchema = z.strictObject({
  channel: channelSchema.optional(),
  channelOrderId: z.string().regex(CHANNEL_ORDER_ID, CHANNEL_ORDER_ID_RULE),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code such as EUR')
    .refine((code) => CURRENCIES.has(code), 'Must be an ISO 4217 currency code in use, such as EUR or CNY'),
  customer: z.strictObject({ id: customerIdSchema, tier: z.enum(CUSTOMER_TIERS) }),
  lines: z
    .array(
      z.strictObject({
        sku: skuSchema,
        quantity: lineQuantity,
        unitPrice: z.number().int('Must be an integer amount in minor units').nonnegative().max(1_000_000_000),
        attributes: productAttributesSchema.optional(),
      }),
    )
    .min(1)
    .max(MAX_LINES),
  shipTo: shipToSchema,
  deliveryPreference: z.enum(DELIVERY_PREFERENCES).optional(),
  attribution: attributionSchema.optional(),
  quote: z
    .strictObject({
      quoteId: quoteIdSchema,
      option: z.enum(QUOTE_OPTIONS),
    })
    .optional()
    .describe(
      'A quote from `POST /quotes` and the option the customer chose: routing ships that option if the quote still holds ' +
        '(this channel\'s, placed within its validity, same lines and place, option still feasible); otherwise the order ' +
        'routes as usual and `route.explanation.quote` says why not. Never refused for the quote.',
    ),
  payment: placementPaymentSchema.optional(),
});

/**
 * `POST /quotes`: the goods and where they go, nothing personal: no name, phone or street. The
 * postal code is checked but neither stored nor used (routing reads country, region and city).
 */
export const quoteRequestSchema = z.strictObject({
  lines: z
    .array(z.strictObject({ sku: skuSchema, quantity: lineQuantity, attributes: productAttributesSchema.optional() }))
    .min(1)
    .max(MAX_LINES)
    .describe('As the order will list them; `attributes` as on the order lines (routing respects them).'),
  destination: shipToSchema.pick({ country: true, region: true, city: true, postalCode: true }),
  customerTier: z.enum(CUSTOMER_TIERS).optional().describe('The tier the order will state (priority handling); `standard` when left out.'),
});

/**
 * `POST /orders/{orderId}/cancel`. A code, because events carry the reason and free text is a
 * leak; what the channel wants to say goes into `note`, kept on the order and never published.
 * `reason`, the free text of earlier versions, is still taken, as the note.
 */
export const cancelRequestSchema = z
  .strictObject({
    // PAYMENT_TIMEOUT is the pipeline's own code: a caller's cancel must not pass for the timeout.
    reasonCode: z.enum(CANCELLATION_REASONS).exclude(['PAYMENT_TIMEOUT']).optional().describe('Why the order is cancelled; UNSPECIFIED when left out.'),
    note: text(500).optional().describe('Kept on the order for the channel and operators; never published.'),
    reason: text(200).optional().describe('Deprecated: taken as `note`.'),
  })
  .refine((body) => body.note === undefined || body.reason === undefined, {
    message: 'Send `note`, or `reason` as earlier versions did, not both',
    path: ['reason'],
  });

const statusFilter = z.enum(ORDER_STATUSES);
/** The status index holds orders at rest only (ADR 0006): a channel's listing by an in-flight status would always be empty. */
const restingStatusFilter = statusFilter
  .refine(isRestingStatus, IN_FLIGHT_LISTING_HINT)
  .describe('A resting status (not PLACED, STOCK_LOCKED or ROUTED: orders in flight are in the listing without `status`)');

/** `GET /orders`: the token's channel's orders; `channel`, if given, must be the token's. */
export const listOrdersQuerySchema = z.strictObject({
  channel: channelSchema.optional(),
  status: restingStatusFilter.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

/**
 * `GET /orders` for operators: across channels, so it names what to list (a channel, a
 * customer, the overdue orders, or what changed since a time); `status` narrows any of them.
 */
export const operatorOrdersQuerySchema = listOrdersQuerySchema
  .extend({
    // Any status narrows the other listings (`overdue=true&status=ROUTED`); only a channel's listing by status is refused one in flight, below.
    status: statusFilter.optional().describe('Narrows the listing; with a channel alone, a resting status (orders in flight: `overdue=true`, or held ones with `updatedSince`)'),
    customerId: text(128).optional(),
    overdue: z.enum(['true']).transform(() => true).optional().describe('Orders in flight past their deadline (ADR 0002)'),
    updatedSince: z.iso
      .datetime()
      .optional()
      .describe('Orders that came to rest or changed at rest after this time, oldest first: poll with the last `updatedAt` (ADR 0006)'),
  })
  .refine((query) => [query.channel, query.customerId, query.overdue, query.updatedSince].some((value) => value !== undefined), {
    message: 'Name what to list across channels: channel, customerId, overdue=true or updatedSince',
    path: ['channel'],
  })
  .refine((query) => query.status === undefined || isRestingStatus(query.status) || !listsByChannelStatus(query), {
    message: IN_FLIGHT_LISTING_HINT_FOR_OPERATORS,
    path: ['status'],
  });

/** Whether an operator's query is a channel's listing by status (operator-orders.ts reads the other listings first). */
function listsByChannelStatus(query: { channel?: string | undefined; customerId?: string | undefined; overdue?: boolean | undefined; updatedSince?: string | undefined }) {
  return query.channel !== undefined && query.customerId === undefined && query.overdue === undefined && query.updatedSince === undefined;
}

/** `POST /policies/routing/versions/{n}/stage`: the share of orders the staged version decides, strictly between none and all. */
export const routingPolicyStageRequestSchema = z.strictObject({
  share: z.number().gt(0).lt(1).describe('Share of orders (by a hash of the order id) the staged version routes; the live version routes the rest'),
});

export const inventoryRequestSchema = z
  .strictObject({
    /** On-hand per warehouse; left out, the counts stay as they are (a reshard or rebalance). */
    warehouses: z
      .record(warehouseIdSchema, z.number().int().nonnegative().max(1_000_000_000))
      .refine((warehouses) => Object.keys(warehouses).length > 0, 'List at least one warehouse')
      .refine((warehouses) => Object.keys(warehouses).length <= 100, 'At most 100 warehouses')
      .optional(),
    /** Counter shards for a hot SKU; left out, the SKU keeps its count (1 for a new SKU). */
    shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
  })
  .refine((body) => body.warehouses !== undefined || body.shards !== undefined, {
    message: 'Give warehouses, shards or both',
    path: ['warehouses'],
  });

export const inventoryAdjustmentSchema = z.strictObject({
  warehouseId: warehouseIdSchema,
  /** Units received (positive) or written off after a count (negative). */
  delta: z
    .number()
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((delta) => delta !== 0, 'Must not be zero'),
  reason: text(200).optional(),
});

/** `POST /orders/{orderId}/returns`: which delivered units, and why, as a code (events carry it; free text would be a leak). */
export const returnRequestSchema = z.strictObject({
  lines: z.array(z.strictObject({ sku: skuSchema, quantity: z.number().int().min(1).max(10_000) })).min(1).max(100),
  reasonCode: z.enum(RETURN_REASON_CODES),
});

/** `POST /returns/{returnId}/inspection`: per returned SKU, the units fit to sell again and the damaged ones. */
export const inspectionRequestSchema = z.strictObject({
  lines: z
    .array(z.strictObject({ sku: skuSchema, sellable: z.number().int().min(0).max(10_000), damaged: z.number().int().min(0).max(10_000) }))
    .min(1)
    .max(100),
});

/** `POST /returns/{returnId}/refund`: the payment partner's reference for the refund it made. */
export const refundConfirmationSchema = z.strictObject({
  // Published in RefundCompleted, so refused when it looks like personal data, as payment identifiers are.
  reference: paymentIdentifier.describe("The payment partner's id of the refund; published in RefundCompleted."),
});
