/**
 * The request and response bodies as the OpenAPI document names them (`components/schemas`).
 * Request bodies are the zod schemas the handlers validate with; response shapes are described
 * here (the handlers build them from domain types). The route table (routes.ts) points at these.
 */
import { z } from 'zod';
import { ACTOR_KINDS, AMENDMENTS, ORDER_STATUSES, REJECTION_REASONS } from '../domain/order.ts';
import { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES } from '../domain/events.ts';
import { routingPolicySchema } from '../domain/routing-policy.ts';
import { carrierEventSchema, channelSchema, orderIdSchema, orderRequestSchema, shipToSchema, skuSchema } from './schemas.ts';

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

const transitionSchema = z.object({
  from: z.enum(ORDER_STATUSES).nullable(),
  to: z.enum(ORDER_STATUSES),
  at: z.iso.datetime(),
  reason: z.string().optional(),
  amendment: z.enum(AMENDMENTS).optional().describe('Set on a recorded change that keeps the status'),
  by: z
    .object({ kind: z.enum(ACTOR_KINDS), id: z.string() })
    .optional()
    .describe('Who made the change: a token\'s subject (channel or operator), a workflow step, a carrier, or the reconciler'),
  changed: z
    .array(z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() }))
    .optional()
    .describe('Fields the change set, with old and new values; personal fields (`shipTo.*`) by name only'),
});

const decision = z.record(z.string(), z.unknown());
export const Order = named('Order',
  z.object({
    ...orderRequestSchema.shape,
    channel: channelSchema,
    shipTo: ShipTo,
    orderId: orderIdSchema,
    status: z.enum(ORDER_STATUSES),
    version: z.number().int().positive().describe('Increments with every history entry; the sequence of its event'),
    totals: z.object({ itemCount: z.number().int(), amount: z.number().int() }),
    placedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    history: z.array(transitionSchema),
    rejectionReason: z.enum(REJECTION_REASONS).optional(),
    failureReason: z.string().optional(),
    cancellationReason: z.string().optional(),
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
  }),
);

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

const detailTypes = [...Object.values(DETAIL_TYPES), ...Object.values(AMENDMENT_DETAIL_TYPES)] as [string, ...string[]];
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
export const RoutingPolicyVersions = named('RoutingPolicyVersions',
  z.object({
    live: z.number().int().positive().nullable().describe('The live version; null before the first save'),
    items: z.array(z.object(policyVersion)).describe('Every saved version, newest first'),
  }),
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
  }),
);

export const OpenApiDocument = z.record(z.string(), z.unknown());
