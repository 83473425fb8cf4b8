/**
 * Return events: one detail-type per return status, from the table's stream like order events
 * (one history entry = one event, `sequence` = the return's version). Strict zod schemas, composed
 * into the published contracts by events.ts. No personal data: SKUs, units, prices, codes, the
 * carrier's tracking number and the payment partner's reference, never an address, a name or
 * words anyone typed (the reason is a closed set of codes).
 */
import * as z from 'zod';
import { checkedEvent, EVENT_SCHEMA_VERSION } from './event-envelope.ts';
import { CHANNEL_ORDER_ID } from './free-text.ts';
import { RETURN_REASON_CODES } from './vocabulary.ts';
import { canReturnTransition, PAYMENT_REFERENCE, RETURN_STATUSES, type Return, type ReturnStatus } from './returns.ts';
import { CUSTOMER_TIERS, PARCEL_STATUSES } from './vocabulary.ts';

export const RETURN_DETAIL_TYPES = {
  REQUESTED: 'ReturnRequested',
  APPROVED: 'ReturnApproved',
  REJECTED: 'ReturnRejected',
  LABEL_ISSUED: 'ReturnLabelIssued',
  IN_TRANSIT: 'ReturnInTransit',
  RECEIVED: 'ReturnReceived',
  INSPECTED: 'ReturnInspected',
  REFUND_REQUESTED: 'RefundRequested',
  REFUNDED: 'RefundCompleted',
  CANCELLED: 'ReturnCancelled',
} as const satisfies Record<ReturnStatus, string>;

const name = z.string().min(1);
const units = z.number().int().min(0);
const minorUnits = z.number().int().min(0).describe('Integer amount in minor currency units.');

const labelSchema = z.strictObject({
  carrier: name,
  trackingNumber: name,
  parcelId: name,
  warehouseId: name.describe('Where the parcel goes back to.'),
  status: z.enum(PARCEL_STATUSES).optional().describe("The carrier's latest scan of the return parcel."),
  statusAt: z.iso.datetime().optional(),
});

const refundSchema = z.strictObject({
  amount: minorUnits,
  currency: z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217.'),
  units: units.describe('Units refunded: sellable ones, and damaged ones when the reason is the seller\'s fault.'),
  reference: z.string().regex(PAYMENT_REFERENCE).optional().describe("The payment partner's reference, once it confirmed."),
  refundedAt: z.iso.datetime().optional(),
});

const commonData = {
  reasonCode: z.enum(RETURN_REASON_CODES),
  customerTier: z.enum(CUSTOMER_TIERS),
  currency: z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217.'),
  lines: z
    .array(z.strictObject({ sku: name, quantity: units.min(1), unitPrice: minorUnits, warehouseId: name.describe('The warehouse the line shipped from.') }))
    .min(1),
  policyVersion: z.number().int().min(1).nullable().describe('The return policy version that allowed the return; null for the built-in default.'),
  label: labelSchema.optional(),
  inspection: z.strictObject({ lines: z.array(z.strictObject({ sku: name, sellable: units, damaged: units })).min(1) }).optional(),
  refund: refundSchema.optional(),
};

function previousStatusSchema(status: ReturnStatus) {
  const predecessors = RETURN_STATUSES.filter((from) => canReturnTransition(from, status));
  return predecessors.length === 0 ? z.null() : z.enum(predecessors);
}

function returnEventSchema<const T extends string, const S extends ReturnStatus, D extends z.ZodRawShape>(type: T, status: S, description: string, data: D) {
  return z
    .strictObject({
      eventId: z.string().regex(/^.+:[1-9][0-9]*$/).describe('`<returnId>:<sequence>`: the same on every redelivery, to deduplicate on.'),
      schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
      type: z.literal(type).describe('Equals the EventBridge detail-type.'),
      returnId: name,
      orderId: name.describe('The order returned from.'),
      sequence: z.number().int().min(1).describe("The return's version after the transition: consecutive per return."),
      occurredAt: z.iso.datetime(),
      status: z.literal(status),
      previousStatus: previousStatusSchema(status),
      channel: name,
      channelOrderId: z.string().regex(CHANNEL_ORDER_ID).optional(),
      data: z.strictObject({ ...commonData, ...data }),
    })
    .meta({ title: type, description });
}

export const RETURN_EVENT_SCHEMAS = [
  returnEventSchema(RETURN_DETAIL_TYPES.REQUESTED, 'REQUESTED', 'A channel asked to return delivered units of an order (the reason is a code).', {}),
  returnEventSchema(RETURN_DETAIL_TYPES.APPROVED, 'APPROVED', 'The return was approved: by the return policy at once, or by an operator.', {}),
  returnEventSchema(RETURN_DETAIL_TYPES.REJECTED, 'REJECTED', 'An operator rejected the return; its units can be returned again.', {}),
  returnEventSchema(RETURN_DETAIL_TYPES.LABEL_ISSUED, 'LABEL_ISSUED', 'The carrier issued the return label; `label` names the carrier and tracking number.', {
    label: labelSchema,
  }),
  returnEventSchema(RETURN_DETAIL_TYPES.IN_TRANSIT, 'IN_TRANSIT', 'The carrier picked up the return parcel.', { label: labelSchema }),
  returnEventSchema(RETURN_DETAIL_TYPES.RECEIVED, 'RECEIVED', 'The return parcel was delivered to the warehouse.', { label: labelSchema }),
  returnEventSchema(
    RETURN_DETAIL_TYPES.INSPECTED,
    'INSPECTED',
    'The warehouse inspected the units: sellable ones are back on hand at the warehouse each line shipped from, in the same write.',
    { inspection: commonData.inspection.unwrap() },
  ),
  returnEventSchema(RETURN_DETAIL_TYPES.REFUND_REQUESTED, 'REFUND_REQUESTED', 'The refund to pay, in minor units, from the order\'s unit prices.', {
    refund: refundSchema,
  }),
  returnEventSchema(RETURN_DETAIL_TYPES.REFUNDED, 'REFUNDED', "The payment partner confirmed the refund (`refund.reference`).", { refund: refundSchema }),
  returnEventSchema(RETURN_DETAIL_TYPES.CANCELLED, 'CANCELLED', 'The channel cancelled the return before its parcel moved; its units can be returned again.', {}),
] as const;

const anyReturnEventSchema = z.discriminatedUnion('type', RETURN_EVENT_SCHEMAS);
export type ReturnEvent = z.infer<typeof anyReturnEventSchema>;

/** The event for the return's latest history entry, checked against its schema. */
export function returnEventOf(ret: Return): ReturnEvent {
  const last = ret.history[ret.history.length - 1];
  const type = RETURN_DETAIL_TYPES[ret.status];
  const candidate = {
    eventId: `${ret.returnId}:${ret.version}`,
    schemaVersion: EVENT_SCHEMA_VERSION,
    type,
    returnId: ret.returnId,
    orderId: ret.orderId,
    sequence: ret.version,
    occurredAt: last?.at ?? ret.updatedAt,
    status: ret.status,
    previousStatus: last?.from ?? null,
    channel: ret.channel,
    ...(CHANNEL_ORDER_ID.test(ret.channelOrderId) ? { channelOrderId: ret.channelOrderId } : {}),
    data: {
      reasonCode: ret.reasonCode,
      customerTier: ret.customerTier,
      currency: ret.currency,
      lines: ret.lines.map(({ sku, quantity, unitPrice, warehouseId }) => ({ sku, quantity, unitPrice, warehouseId })),
      policyVersion: ret.policyVersion,
      ...(ret.label ? { label: ret.label } : {}),
      ...(ret.inspection ? { inspection: ret.inspection } : {}),
      ...(ret.refund ? { refund: ret.refund } : {}),
    },
  };
  return checkedEvent(anyReturnEventSchema, type, candidate);
}
