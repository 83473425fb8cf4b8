/**
 * The HTTP API's route table, the one place a route is defined: its method and path, who may
 * call it, the handler that serves it, what that handler may do with the orders table and
 * which secrets it reads, and the requests and responses it documents. The CDK app builds the
 * routes and their functions from it (lib/intake-api.ts), the OpenAPI document describes it
 * (openapi.ts), and the local cloud serves the routes the synthesized app holds.
 */
import { z } from 'zod';
import { SIGNATURE_HEADER } from '../carriers/webhook-signature.ts';
import type { OrderIndexName, Partition } from '../store/keys.ts';
import { SCOPES, type Scope } from './access.ts';
import {
  CarrierEvent,
  CarrierEventOutcome,
  Inventory,
  OpenApiDocument,
  Order,
  OrderPage,
  PlaceOrderRequest,
  RoutingPolicy,
  ShipTo,
  StoredRoutingPolicy,
  Timeline,
} from './components.ts';
import {
  cancelRequestSchema,
  carrierIdSchema,
  idempotencyKeySchema,
  inventoryAdjustmentSchema,
  inventoryRequestSchema,
  listOrdersQuerySchema,
  orderIdSchema,
  skuSchema,
} from './schemas.ts';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';
export type IndexName = OrderIndexName;

/** What a route's handler may do with the orders table. */
export interface TableAccess {
  readonly write: boolean;
  /** The kinds of item (functions/store/keys.ts) the handler reads or writes: its IAM policy allows no other. */
  readonly partitions: readonly Partition[];
  /** Indexes the handler queries; none unless it lists. */
  readonly indexes?: readonly IndexName[];
}

/** Secrets a handler reads: the carriers' callback signing secrets, the key list cursors are signed with. */
export type RouteSecret = 'carrierWebhooks' | 'cursorSigning';

/**
 * Who may call a route: tokens with a scope, or anyone, with the reason written down (it
 * acknowledges cdk-nag's APIG4 finding, so a public route cannot be added without one).
 */
export type RouteAuthorization =
  | { readonly scope: Scope; readonly unauthenticatedBecause?: never }
  | { readonly scope: 'public'; readonly unauthenticatedBecause: string };

/** A response header the handler sets. */
export type ResponseHeader = 'Location' | 'ETag';

export interface SuccessResponse {
  readonly status: 200 | 201;
  readonly description: string;
  readonly body: z.ZodType;
  readonly headers?: readonly ResponseHeader[];
}

export type Route = RouteAuthorization & {
  /** Construct id of the route's function (`PlaceOrder`, ...). */
  readonly id: string;
  readonly method: RouteMethod;
  readonly path: string;
  /** Handler source relative to `functions/`, without extension. */
  readonly entry: string;
  /** The orders table; none for a route that does not touch it. */
  readonly access?: TableAccess;
  readonly secrets?: readonly RouteSecret[];
  /** What the route does with personal values: `seal` where they enter, `open` for the caller entitled to them. */
  readonly personalData?: readonly ('seal' | 'open')[];
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly request?: {
    readonly params?: z.ZodObject;
    readonly query?: z.ZodObject;
    readonly headers?: z.ZodObject;
    readonly body?: { readonly schema: z.ZodType; readonly required: boolean };
  };
  readonly responses: readonly SuccessResponse[];
  /** The error statuses the handler itself answers, as problem+json. */
  readonly problems: readonly number[];
};

const orderPath = z.object({ orderId: orderIdSchema });
const skuPath = z.object({ sku: skuSchema });
const body = (schema: z.ZodType, required = true) => ({ schema, required });

/** The routes: one function per route, so each gets only the table access it needs. */
export const ROUTES: readonly Route[] = [
  {
    id: 'PlaceOrder',
    method: 'POST',
    path: '/orders',
    entry: 'api/place-order',
    access: { write: true, partitions: ['order', 'channelOrder', 'idempotency'] },
    personalData: ['seal'],
    scope: SCOPES.channel,
    operationId: 'placeOrder',
    summary: 'Place an order for the token\'s channel',
    request: { headers: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }), body: body(PlaceOrderRequest) },
    responses: [
      { status: 201, description: 'Placed; `Location` names the order', body: Order, headers: ['Location'] },
      { status: 200, description: 'A repeat of an earlier request: the same order', body: Order, headers: ['Location'] },
    ],
    problems: [400, 403, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetOrder',
    method: 'GET',
    path: '/orders/{orderId}',
    entry: 'api/get-order',
    access: { write: false, partitions: ['order'] },
    personalData: ['open'],
    scope: SCOPES.channel,
    operationId: 'getOrder',
    summary: 'One of the channel\'s orders, with its history',
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The order', body: Order }],
    problems: [400, 403, 404, 500, 503],
  },
  {
    id: 'ListOrders',
    method: 'GET',
    path: '/orders',
    entry: 'api/list-orders',
    access: { write: false, partitions: ['order'], indexes: ['byChannelStatus', 'byChannel'] },
    secrets: ['cursorSigning'],
    scope: SCOPES.channel,
    operationId: 'listOrders',
    summary: 'The token\'s channel\'s orders, newest first',
    description:
      'A `cursor` is opaque and signed: it continues only the query it came from (same status and limit); ' +
      'any other cursor answers `400 /problems/invalid-cursor`.',
    request: { query: listOrdersQuerySchema },
    responses: [{ status: 200, description: 'A page of orders', body: OrderPage }],
    problems: [400, 403, 500, 503],
  },
  {
    id: 'CancelOrder',
    method: 'POST',
    path: '/orders/{orderId}/cancel',
    entry: 'api/cancel-order',
    access: { write: true, partitions: ['order', 'stock', 'capacity'] },
    scope: SCOPES.channel,
    operationId: 'cancelOrder',
    summary: 'Cancel before the shipment is requested; repeating it is not an error',
    request: { params: orderPath, body: body(cancelRequestSchema, false) },
    responses: [{ status: 200, description: 'The cancelled order', body: Order }],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'ChangeShippingAddress',
    method: 'PATCH',
    path: '/orders/{orderId}/shipping-address',
    entry: 'api/change-shipping-address',
    access: { write: true, partitions: ['order'] },
    personalData: ['seal', 'open'],
    scope: SCOPES.channel,
    operationId: 'changeShippingAddress',
    summary: 'Ship to another address, until the order is routed',
    description:
      'Allowed while the order is PLACED or STOCK_LOCKED; `409 /problems/order-not-amendable` afterwards. Emits `OrderShippingAddressChanged`.',
    request: { params: orderPath, body: body(ShipTo) },
    responses: [{ status: 200, description: 'The order with its new address', body: Order }],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetOrderTimeline',
    method: 'GET',
    path: '/orders/{orderId}/timeline',
    entry: 'api/get-order-timeline',
    access: { write: false, partitions: ['order'] },
    scope: SCOPES.channel,
    operationId: 'getOrderTimeline',
    summary: 'Every transition and change of the order, with the event each produced',
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The timeline, oldest first', body: Timeline }],
    problems: [400, 403, 404, 500, 503],
  },
  {
    id: 'PutInventory',
    method: 'PUT',
    path: '/inventory/{sku}',
    entry: 'api/put-inventory',
    access: { write: true, partitions: ['stock'] },
    scope: SCOPES.admin,
    operationId: 'putInventory',
    summary: 'Set on-hand per warehouse and/or the counter shard count',
    request: { params: skuPath, body: body(inventoryRequestSchema) },
    responses: [{ status: 200, description: 'The stock', body: Inventory }],
    problems: [400, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetInventory',
    method: 'GET',
    path: '/inventory/{sku}',
    entry: 'api/get-inventory',
    access: { write: false, partitions: ['stock'] },
    scope: SCOPES.admin,
    operationId: 'getInventory',
    summary: 'On-hand, reserved and available per warehouse and shard',
    request: { params: skuPath },
    responses: [{ status: 200, description: 'The stock', body: Inventory }],
    problems: [400, 404, 500, 503],
  },
  {
    id: 'AdjustInventory',
    method: 'POST',
    path: '/inventory/{sku}/adjustments',
    entry: 'api/adjust-inventory',
    access: { write: true, partitions: ['stock'] },
    scope: SCOPES.admin,
    operationId: 'adjustInventory',
    summary: 'Receive or write off units at one warehouse',
    description:
      'Changes a count that exists: `404` for a SKU with no inventory, `400` for a warehouse the SKU is not stocked at (set it with `PUT /inventory/{sku}`).',
    request: { params: skuPath, body: body(inventoryAdjustmentSchema) },
    responses: [{ status: 200, description: 'The stock', body: Inventory }],
    problems: [400, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetRoutingPolicy',
    method: 'GET',
    path: '/policies/routing',
    entry: 'api/get-routing-policy',
    access: { write: false, partitions: ['policy'] },
    scope: SCOPES.admin,
    operationId: 'getRoutingPolicy',
    summary: 'The live routing policy; its version is the ETag',
    responses: [{ status: 200, description: 'The live policy', body: StoredRoutingPolicy, headers: ['ETag'] }],
    problems: [404, 500, 503],
  },
  {
    id: 'PutRoutingPolicy',
    method: 'PUT',
    path: '/policies/routing',
    entry: 'api/put-routing-policy',
    access: { write: true, partitions: ['policy'] },
    scope: SCOPES.admin,
    operationId: 'putRoutingPolicy',
    summary: 'Save the next version of the routing policy',
    description:
      'Conditional once a policy exists: send `If-Match` with the ETag you read (`"3"`), or `*` for whatever is live. ' +
      'A version that is no longer live answers `412` with the live ETag; no `If-Match` answers `428`. The first save needs none.',
    request: {
      headers: z.object({
        'If-Match': z.string().optional().describe('The ETag of the version the change was made from, e.g. `"3"`, or `*`'),
      }),
      body: body(RoutingPolicy),
    },
    responses: [{ status: 200, description: 'The saved policy', body: StoredRoutingPolicy, headers: ['ETag'] }],
    problems: [400, 409, 412, 413, 415, 428, 500, 503],
  },
  {
    id: 'CarrierEvents',
    method: 'POST',
    path: '/carriers/{carrierId}/events',
    entry: 'api/carrier-events',
    access: { write: true, partitions: ['order', 'tracking', 'carrierEvent'] },
    secrets: ['carrierWebhooks'],
    scope: 'public',
    unauthenticatedBecause:
      'Carriers cannot sign AWS SigV4 requests or hold channel credentials; each callback carries an HMAC-SHA256 signature over a timestamp and the raw body with its carrier\'s secret, which the handler verifies (functions/carriers/webhook-signature.ts) before reading anything else, refusing bad, stale or future signatures with 401.',
    operationId: 'recordCarrierEvent',
    summary: "A carrier's signed callback about one of its parcels",
    description:
      `No token: the \`${SIGNATURE_HEADER}\` header authenticates, \`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the carrier's secret>\`, ` +
      'at most 5 minutes from now. Duplicates and late reports answer 200 and change nothing; 404 for a tracking number not recorded yet (retry).',
    request: {
      params: z.object({ carrierId: carrierIdSchema }),
      headers: z.object({ [SIGNATURE_HEADER]: z.string() }),
      body: body(CarrierEvent),
    },
    responses: [
      { status: 200, description: 'Accepted: applied, a duplicate, or a late report that changes nothing', body: CarrierEventOutcome },
    ],
    problems: [400, 401, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetOpenApi',
    method: 'GET',
    path: '/openapi.json',
    entry: 'api/get-openapi',
    scope: 'public',
    unauthenticatedBecause:
      'It serves the API description, which holds no order, stock or policy data and which integrators and client generators fetch before they have a token.',
    operationId: 'getOpenApi',
    summary: 'This document',
    responses: [{ status: 200, description: 'The OpenAPI 3.1 description of the API', body: OpenApiDocument }],
    problems: [],
  },
];

/** `METHOD /path`, as API Gateway names a route. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;
