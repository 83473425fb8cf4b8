/**
 * The API's OpenAPI 3.1 description, generated from the zod schemas the handlers
 * validate with, so the contract cannot drift from what is enforced. Response shapes
 * are described here too (the handlers build them from domain types). A test checks
 * that the operations below are exactly the routes of the synthesized app, with the
 * same scopes.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { AMENDMENTS, ORDER_STATUSES, REJECTION_REASONS } from '../domain/order.ts';
import { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES } from '../domain/events.ts';
import { routingPolicySchema } from '../domain/routing-policy.ts';
import { CHANNEL_CLAIM, SCOPES, type Scope } from './access.ts';
import { MAX_BODY_BYTES } from './request.ts';
import { SIGNATURE_HEADER } from '../carriers/webhook-signature.ts';
import {
  cancelRequestSchema,
  carrierEventSchema,
  carrierIdSchema,
  channelSchema,
  idempotencyKeySchema,
  inventoryAdjustmentSchema,
  inventoryRequestSchema,
  listOrdersQuerySchema,
  orderIdSchema,
  orderRequestSchema,
  shipToSchema,
  skuSchema,
} from './schemas.ts';

export const SECURITY_SCHEME = 'bearerJwt';

const registry = new OpenAPIRegistry();

/** A schema under `components/schemas/<id>`, referenced wherever it is used. */
const named = <Schema extends z.ZodType>(id: string, schema: Schema): Schema => schema.meta({ id }) as Schema;

registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    `An access token from the identity provider configured for the deployment (issuer and audience are CDK context). ` +
    `Each operation lists the scope it needs: \`${SCOPES.channel}\` for a channel's orders, \`${SCOPES.admin}\` for stock and routing policy. ` +
    `A channel's token names its channel in the \`${CHANNEL_CLAIM}\` claim; the API acts for that channel only.`,
});

const Problem = named('Problem',
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

const ShipTo = named('ShipTo', shipToSchema);
const PlaceOrderRequest = named('PlaceOrderRequest', orderRequestSchema);

const transitionSchema = z.object({
  from: z.enum(ORDER_STATUSES).nullable(),
  to: z.enum(ORDER_STATUSES),
  at: z.iso.datetime(),
  reason: z.string().optional(),
  amendment: z.enum(AMENDMENTS).optional().describe('Set on a recorded change that keeps the status'),
});

const decision = z.record(z.string(), z.unknown());
const Order = named('Order',
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

const OrderPage = named('OrderPage',
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
const Timeline = named('Timeline',
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
const Inventory = named('Inventory',
  z.object({
    sku: skuSchema,
    warehouses: z.record(z.string(), z.object({ ...stockCounts, available: z.number().int() })),
    ...stockCounts,
    availableToPromise: z.number().int(),
    shardCount: z.number().int().positive(),
    shards: z.array(z.object({ shard: z.number().int(), ...stockCounts, availableToPromise: z.number().int() })),
  }),
);

const RoutingPolicy = named('RoutingPolicy', routingPolicySchema);
const StoredRoutingPolicy = named('StoredRoutingPolicy',
  z.object({ version: z.number().int().positive(), updatedAt: z.iso.datetime(), policy: RoutingPolicy }),
);

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

const PROBLEMS: Record<number, string> = {
  400: 'The request is not valid (`/problems/validation-error`, `/problems/malformed-json`)',
  401: 'No token, or one that is not valid (signature, issuer, audience, expiry); for carrier callbacks, a bad or stale signature',
  403: 'The token lacks the scope, carries no channel, or names another channel (`/problems/channel-mismatch`)',
  404: 'Not found; another channel\'s order is not found either',
  409: 'Conflicts with the current state (the problem type says which)',
  413: `The body exceeds ${MAX_BODY_BYTES} bytes`,
  415: 'The body is not application/json',
  500: 'Unexpected failure; safe to retry',
  503: 'Write conflicts or throttling persisted; retry after `Retry-After` seconds',
};

function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: PROBLEMS[status]!, content: { 'application/problem+json': { schema: Problem } } }]),
  );
}

const orderPath = z.object({ orderId: orderIdSchema });
const skuPath = z.object({ sku: skuSchema });
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

type Operation = Omit<RouteConfig, 'security' | 'responses'> & {
  /** The scope the route requires, or `public`. */
  scope: Scope | 'public';
  responses: RouteConfig['responses'];
};

/** Every operation of the API; `scope` must match the route's in lib/intake-api.ts (a test checks it). */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/orders',
    operationId: 'placeOrder',
    summary: 'Place an order for the token\'s channel',
    scope: SCOPES.channel,
    request: {
      headers: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }),
      body: jsonBody(PlaceOrderRequest),
    },
    responses: {
      201: json(Order, 'Placed; `Location` names the order'),
      200: json(Order, 'A repeat of an earlier request: the same order'),
      ...problems(400, 401, 403, 409, 413, 415, 500, 503),
    },
  },
  {
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    summary: 'The token\'s channel\'s orders, newest first',
    scope: SCOPES.channel,
    request: { query: listOrdersQuerySchema },
    responses: { 200: json(OrderPage, 'A page of orders'), ...problems(400, 401, 403, 500, 503) },
  },
  {
    method: 'get',
    path: '/orders/{orderId}',
    operationId: 'getOrder',
    summary: 'One of the channel\'s orders, with its history',
    scope: SCOPES.channel,
    request: { params: orderPath },
    responses: { 200: json(Order, 'The order'), ...problems(400, 401, 403, 404, 500, 503) },
  },
  {
    method: 'post',
    path: '/orders/{orderId}/cancel',
    operationId: 'cancelOrder',
    summary: 'Cancel before the shipment is requested; repeating it is not an error',
    scope: SCOPES.channel,
    request: { params: orderPath, body: { ...jsonBody(cancelRequestSchema), required: false } },
    responses: { 200: json(Order, 'The cancelled order'), ...problems(400, 401, 403, 404, 409, 413, 415, 500, 503) },
  },
  {
    method: 'patch',
    path: '/orders/{orderId}/shipping-address',
    operationId: 'changeShippingAddress',
    summary: 'Ship to another address, until the order is routed',
    description: 'Allowed while the order is PLACED or STOCK_LOCKED; `409 /problems/order-not-amendable` afterwards. Emits `OrderShippingAddressChanged`.',
    scope: SCOPES.channel,
    request: { params: orderPath, body: jsonBody(ShipTo) },
    responses: { 200: json(Order, 'The order with its new address'), ...problems(400, 401, 403, 404, 409, 413, 415, 500, 503) },
  },
  {
    method: 'get',
    path: '/orders/{orderId}/timeline',
    operationId: 'getOrderTimeline',
    summary: 'Every transition and change of the order, with the event each produced',
    scope: SCOPES.channel,
    request: { params: orderPath },
    responses: { 200: json(Timeline, 'The timeline, oldest first'), ...problems(400, 401, 403, 404, 500, 503) },
  },
  {
    method: 'put',
    path: '/inventory/{sku}',
    operationId: 'putInventory',
    summary: 'Set on-hand per warehouse and/or the counter shard count',
    scope: SCOPES.admin,
    request: { params: skuPath, body: jsonBody(inventoryRequestSchema) },
    responses: { 200: json(Inventory, 'The stock'), ...problems(400, 401, 403, 404, 409, 413, 415, 500, 503) },
  },
  {
    method: 'get',
    path: '/inventory/{sku}',
    operationId: 'getInventory',
    summary: 'On-hand, reserved and available per warehouse and shard',
    scope: SCOPES.admin,
    request: { params: skuPath },
    responses: { 200: json(Inventory, 'The stock'), ...problems(400, 401, 403, 404, 500, 503) },
  },
  {
    method: 'post',
    path: '/inventory/{sku}/adjustments',
    operationId: 'adjustInventory',
    summary: 'Receive or write off units at one warehouse',
    scope: SCOPES.admin,
    request: { params: skuPath, body: jsonBody(inventoryAdjustmentSchema) },
    responses: { 200: json(Inventory, 'The stock'), ...problems(400, 401, 403, 409, 413, 415, 500, 503) },
  },
  {
    method: 'get',
    path: '/policies/routing',
    operationId: 'getRoutingPolicy',
    summary: 'The live routing policy and its version (also the ETag)',
    scope: SCOPES.admin,
    responses: { 200: json(StoredRoutingPolicy, 'The live policy'), ...problems(401, 403, 404, 500, 503) },
  },
  {
    method: 'put',
    path: '/policies/routing',
    operationId: 'putRoutingPolicy',
    summary: 'Save the next version of the routing policy',
    scope: SCOPES.admin,
    request: {
      headers: z.object({ 'If-Match': z.string().optional().describe('The version the change was made from, e.g. `"3"`') }),
      body: jsonBody(RoutingPolicy),
    },
    responses: { 200: json(StoredRoutingPolicy, 'The saved policy'), ...problems(400, 401, 403, 409, 413, 415, 500, 503) },
  },
  {
    method: 'post',
    path: '/carriers/{carrierId}/events',
    operationId: 'recordCarrierEvent',
    summary: "A carrier's signed callback about one of its parcels",
    description:
      `No token: the \`${SIGNATURE_HEADER}\` header authenticates, \`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the carrier's secret>\`, ` +
      'at most 5 minutes from now. Duplicates and late reports answer 200 and change nothing; 404 for a tracking number not recorded yet (retry).',
    scope: 'public',
    request: {
      params: z.object({ carrierId: carrierIdSchema }),
      headers: z.object({ [SIGNATURE_HEADER]: z.string() }),
      body: jsonBody(named('CarrierEvent', carrierEventSchema)),
    },
    responses: {
      200: json(
        named(
          'CarrierEventOutcome',
          z.object({
            eventId: z.string(),
            outcome: z.enum(['applied', 'stale', 'duplicate']),
            orderId: orderIdSchema,
            parcelId: z.string(),
            orderStatus: z.enum(ORDER_STATUSES),
          }),
        ),
        'Accepted: applied, a duplicate, or a late report that changes nothing',
      ),
      ...problems(400, 401, 404, 409, 413, 415, 500, 503),
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    scope: 'public',
    responses: { 200: { description: 'The OpenAPI 3.1 description of the API', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
  },
];

for (const { scope, ...operation } of OPERATIONS) {
  registry.registerPath({ ...operation, security: scope === 'public' ? [] : [{ [SECURITY_SCHEME]: [scope] }] });
}

let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

/** Generated once per process: the schemas do not change while it runs. */
export function openApiDocument() {
  document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order pipeline API',
      version: '1.0.0',
      description:
        'Channels place, read, list, amend and cancel their orders; operators set stock and the routing policy. ' +
        'Errors are RFC 9457 problem+json. Events are described separately (EventBridge, source `order-pipeline`).',
    },
  });
  return document;
}
