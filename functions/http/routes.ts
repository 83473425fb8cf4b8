/**
 * The HTTP API's route table, the one place a route is defined: its method and path, who may
 * call it, the handler that serves it, what that handler may do with the orders table and
 * which secrets it reads, and the requests and responses it documents. The CDK app builds the
 * routes and their functions from it (lib/intake-api.ts), the OpenAPI document describes it
 * (openapi.ts), and the local cloud serves the routes the synthesized app holds.
 */
import * as z from 'zod';
import { SIGNATURE_HEADER } from '../carriers/webhook-signature.ts';
import type { OrderIndexName, Partition } from '../store/keys.ts';
import { AUTHORITY, type Authority } from './access.ts';
import {
  AcceptedOrder,
  CarrierEvent,
  CarrierEventOutcome,
  ErasureReport,
  Inventory,
  OpenApiDocument,
  Order,
  OrderPage,
  InspectionRequest,
  PaymentReport,
  PlaceOrderRequest,
  Quote,
  RefundConfirmation,
  Return,
  ReturnList,
  ReturnPolicy,
  ReturnRequest,
  RoutingDryRunReport,
  RoutingPolicy,
  RoutingPolicyStage,
  RoutingPolicyVersions,
  ShipTo,
  StoredReturnPolicy,
  StoredRoutingPolicy,
  Timeline,
} from './components.ts';
import {
  cancelRequestSchema,
  customerIdSchema,
  idempotencyKeySchema,
  inventoryAdjustmentSchema,
  inventoryRequestSchema,
  operatorOrdersQuerySchema,
  orderIdSchema,
  policyVersionSchema,
  quoteRequestSchema,
  returnIdSchema,
  routingPolicyStageRequestSchema,
  skuSchema,
} from './schemas.ts';
import { carrierIdSchema } from './carrier-event-request.ts';
import { routingDryRunRequestSchema } from './routing-dry-run-request.ts';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type IndexName = OrderIndexName;

/** What a route's handler may do with the orders table. */
export interface TableAccess {
  readonly write: boolean;
  /** The kinds of item (functions/store/keys.ts) the handler reads or writes: its IAM policy allows no other. */
  readonly partitions: readonly Partition[];
  /** Indexes the handler queries; none unless it lists. */
  readonly indexes?: readonly IndexName[];
  /** With `write`: the only partitions it writes; it reads the others. All of them when left out. */
  readonly writes?: readonly Partition[];
  /**
   * With `write`, on a stage with the storage-first intake (`orderPipeline:orderIntake=queue`): the only partitions it
   * still writes, because the intake queue's drainer lands what it used to write; it reads the others.
   */
  readonly writesWhenQueued?: readonly Partition[];
}

/** Secrets a handler reads: the carriers' callback signing secrets, the key list cursors are signed with. */
export type RouteSecret = 'carrierWebhooks' | 'cursorSigning';

/**
 * Who may call a route: tokens with any of an authority's scopes, or anyone, with the reason
 * written down (it acknowledges cdk-nag's APIG4 finding, so a public route cannot be added without one).
 */
export type RouteAuthorization =
  | { readonly scopes: Authority; readonly unauthenticatedBecause?: never }
  | { readonly scopes: 'public'; readonly unauthenticatedBecause: string };

/**
 * What a route's handler needs of fulfilment: the deadlines of ADR 0002 (to tell an overdue
 * order), and for a re-drive also starting executions of the workflow.
 */
export type FulfilmentUse = 'deadlines' | 'redrive';

/** A response header the handler sets. */
export type ResponseHeader = 'Location' | 'ETag';

export interface SuccessResponse {
  readonly status: 200 | 201 | 202;
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
  readonly fulfilment?: FulfilmentUse;
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
const ifMatchHeader = z.object({
  'If-Match': z.string().optional().describe('The ETag of the version the change was made from, e.g. `"3"`, or `*`'),
});
const body = (schema: z.ZodType, required = true) => ({ schema, required });

/** `POST /orders/{orderId}/<verb>`: an operator's action on one order, answered with the order as it stands after. */
function operatorAction(verb: 'hold' | 'release' | 'retry', summary: string, description: string, problems: number[]): Route {
  return {
    id: `${verb[0]!.toUpperCase()}${verb.slice(1)}Order`,
    method: 'POST',
    path: `/orders/{orderId}/${verb}`,
    entry: `api/${verb}-order`,
    access: { write: true, partitions: ['order'] },
    fulfilment: 'redrive',
    scopes: AUTHORITY.operate,
    operationId: `${verb}Order`,
    summary,
    description,
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The order as it stands after', body: Order }],
    problems,
  };
}

const returnPath = z.object({ returnId: returnIdSchema });

/** `POST /returns/{returnId}/<verb>`: an operator's step on a return, answered with the return as it stands after. */
function returnStep(
  verb: 'approve' | 'reject' | 'inspection' | 'refund',
  id: string,
  partitions: readonly Partition[],
  summary: string,
  description: string,
  requestBody?: z.ZodType,
): Route {
  return {
    id,
    method: 'POST',
    path: `/returns/{returnId}/${verb}`,
    entry: `api/${id.replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`)}`,
    // The return id key is written once, with the return; the steps only read it.
    access: { write: true, partitions, writes: partitions.filter((partition) => partition !== 'returnId') },
    scopes: AUTHORITY.operate,
    operationId: `${id[0]!.toLowerCase()}${id.slice(1)}`,
    summary,
    description,
    request: { params: returnPath, ...(requestBody ? { body: body(requestBody) } : {}) },
    responses: [{ status: 200, description: 'The return as it stands after', body: Return }],
    problems: requestBody ? [400, 403, 404, 409, 413, 415, 500, 503] : [400, 403, 404, 409, 500, 503],
  };
}

/** The routes: one function per route, so each gets only the table access it needs. */
export const ROUTES: readonly Route[] = [
  {
    id: 'PlaceOrder',
    method: 'POST',
    path: '/orders',
    entry: 'api/place-order',
    access: { write: true, partitions: ['order', 'channelOrder', 'idempotency'], writesWhenQueued: [] },
    personalData: ['seal'],
    scopes: AUTHORITY.channel,
    operationId: 'placeOrder',
    summary: 'Place an order for the token\'s channel',
    request: { headers: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }), body: body(PlaceOrderRequest) },
    responses: [
      { status: 201, description: 'Placed; `Location` names the order', body: Order, headers: ['Location'] },
      { status: 200, description: 'A repeat of an earlier request: the same order', body: Order, headers: ['Location'] },
      {
        status: 202,
        description: 'On a stage with the storage-first intake (`orderPipeline:orderIntake=queue`): validated and queued; `Location` answers 404 until the order has landed, within seconds, or the drain time of a burst',
        body: AcceptedOrder,
        headers: ['Location'],
      },
    ],
    problems: [400, 403, 409, 413, 415, 500, 503],
  },
  {
    id: 'QuoteDelivery',
    method: 'POST',
    path: '/quotes',
    entry: 'api/quote-delivery',
    access: { write: true, partitions: ['stock', 'capacity', 'policy', 'quote'], writes: ['quote'] },
    scopes: AUTHORITY.channel,
    operationId: 'quoteDelivery',
    summary: 'Delivery options for lines and a destination before checkout: fastest, cheapest and greenest, locking nothing',
    description:
      'The routing planner under the live policy (or the staged candidate, for quotes in its share: `policyVersion` and ' +
      '`rollout` say which answered) on today\'s free stock and warehouse capacity, as a new order would meet them. Each ' +
      'option has its price in the policy\'s currency, promised date, carbon, warehouses, carriers and parcels. The answer\'s ' +
      '`quoteId` may be referenced by `POST /orders` of the same channel for 15 minutes. When nothing can serve the lines ' +
      'there, 200 with `options: null`, no quote id, and `noOption` saying why. No name, phone or street is accepted, ' +
      'and the destination is neither logged nor published; only its country, region and city are stored with the quote.',
    request: { body: body(quoteRequestSchema) },
    responses: [{ status: 200, description: 'The options, or why there is none', body: Quote }],
    problems: [400, 403, 413, 415, 500, 503],
  },
  {
    id: 'GetOrder',
    method: 'GET',
    path: '/orders/{orderId}',
    entry: 'api/get-order',
    access: { write: false, partitions: ['order'] },
    personalData: ['open'],
    scopes: AUTHORITY.readOrders,
    operationId: 'getOrder',
    summary: 'An order with its history: a channel\'s own, any for operators',
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The order', body: Order }],
    problems: [400, 403, 404, 500, 503],
  },
  {
    id: 'ListOrders',
    method: 'GET',
    path: '/orders',
    entry: 'api/list-orders',
    access: { write: false, partitions: ['order'], indexes: ['byChannelStatus', 'byChannel', 'byCustomer'] },
    secrets: ['cursorSigning'],
    fulfilment: 'deadlines',
    scopes: AUTHORITY.readOrders,
    operationId: 'listOrders',
    summary: 'A channel\'s own orders, newest first; operators list across channels',
    description:
      'A `cursor` is opaque and signed: it continues only the query it came from (same filters and limit); ' +
      'any other cursor answers `400 /problems/invalid-cursor`. Channels may give `status`, `limit` and `cursor`. ' +
      'Operators (`orders/support`, `orders/admin`) name what to list: `channel`, `customerId` (newest first, paged), ' +
      '`overdue=true` (orders in flight past their deadline) or `updatedSince` (orders that came to rest, or changed at rest, ' +
      'after that time, oldest first: poll with the last `updatedAt`; an order in flight appears when it reaches a resting ' +
      'status or is held); `status` narrows each (with `updatedSince`, an in-flight status finds the orders held in it). ' +
      'A channel\'s listing by `status` takes resting statuses only: a healthy order passes through the in-flight ones ' +
      '(`PLACED`, `STOCK_LOCKED`, `ROUTED`) in seconds, so they answer `400` naming `status`; the listing without `status` has ' +
      'every order with its status, and operators find late ones with `overdue=true` (ADR 0006).',
    request: { query: operatorOrdersQuerySchema },
    responses: [{ status: 200, description: 'A page of orders', body: OrderPage }],
    problems: [400, 403, 500, 503],
  },
  {
    id: 'CancelOrder',
    method: 'POST',
    path: '/orders/{orderId}/cancel',
    entry: 'api/cancel-order',
    access: { write: true, partitions: ['order', 'stock', 'capacity'] },
    personalData: ['seal'],
    scopes: AUTHORITY.cancel,
    operationId: 'cancelOrder',
    summary: 'Cancel before the shipment is requested (a channel its own orders, an admin any); repeating it is not an error',
    request: { params: orderPath, body: body(cancelRequestSchema, false) },
    responses: [{ status: 200, description: 'The cancelled order', body: Order }],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'ChangeShippingAddress',
    method: 'PATCH',
    path: '/orders/{orderId}/shipping-address',
    entry: 'api/change-shipping-address',
    // Stock and capacity: in a hold window, the change gives the allocation back and the order is routed again.
    access: { write: true, partitions: ['order', 'stock', 'capacity'] },
    fulfilment: 'redrive',
    personalData: ['seal', 'open'],
    scopes: AUTHORITY.channel,
    operationId: 'changeShippingAddress',
    summary: "Ship to another address, until the order is routed or while it is in its channel's hold window",
    description:
      "Allowed while the order is PLACED or STOCK_LOCKED, and while it is ROUTED in its channel's hold window (config/channels.json `holdSeconds`): " +
      'then its route is dropped and it is routed again for the new address, still held until the window ends. `409 /problems/order-not-amendable` otherwise. Emits `OrderShippingAddressChanged`.',
    request: { params: orderPath, body: body(ShipTo) },
    responses: [{ status: 200, description: 'The order with its new address', body: Order }],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'ReportPayment',
    method: 'POST',
    path: '/orders/{orderId}/payment',
    entry: 'api/report-payment',
    access: { write: true, partitions: ['order', 'stock', 'capacity'] },
    scopes: AUTHORITY.channel,
    operationId: 'reportPayment',
    summary: "Report the payment of the channel's own order placed awaiting it",
    description:
      '`authorized`: the order leaves PAYMENT_PENDING and fulfilment goes on (`OrderPaymentAuthorized`). `failed`: the order is cancelled, ' +
      'reason PAYMENT_FAILED, with any stock it held given back (`OrderPaymentFailed`). A repeat of the decision the order has answers 200 ' +
      'and changes nothing; a report that contradicts it (another outcome or reference, or an order cancelled meanwhile, e.g. PAYMENT_TIMEOUT) ' +
      'answers `409 /problems/payment-already-decided`.',
    request: { params: orderPath, body: body(PaymentReport) },
    responses: [{ status: 200, description: 'The order after the report', body: Order }],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'GetOrderTimeline',
    method: 'GET',
    path: '/orders/{orderId}/timeline',
    entry: 'api/get-order-timeline',
    access: { write: false, partitions: ['order'] },
    scopes: AUTHORITY.readOrders,
    operationId: 'getOrderTimeline',
    summary: 'Every transition and change of the order, with the event each produced',
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The timeline, oldest first', body: Timeline }],
    problems: [400, 403, 404, 500, 503],
  },
  operatorAction(
    'hold',
    'Operators: stop an order before its shipment is requested',
    'Allowed while the order is PLACED, STOCK_LOCKED or ROUTED; the workflow goes on to ROUTED and stops there until released. ' +
      'Holding a held order changes nothing; `409 /problems/order-not-amendable` otherwise. Recorded on the timeline with who held it; emits `OrderHeld`.',
    [400, 403, 404, 409, 500, 503],
  ),
  operatorAction(
    'release',
    'Operators: end a hold; the order moves on from where it stands',
    'Re-drives the order (ADR 0002 and 0004): an `OrderFulfilmentRedriven` event, a timeline entry with who released it, ' +
      'and a workflow execution. Releasing an order not held changes nothing.',
    [400, 403, 404, 500, 503],
  ),
  operatorAction(
    'retry',
    'Operators: re-drive an order stranded past its deadline, or a FAILED order',
    'For an order in flight past its deadline (`GET /orders?overdue=true`): re-driven at once, as the reconciler would, whatever ' +
      're-drives it had. For a FAILED order (compensated: its stock given back): back to PLACED and fulfilled again from the stock ' +
      'lock. `409 /problems/not-retryable` for an order on time, held, REJECTED (a business refusal), or otherwise out of flight.',
    [400, 403, 404, 409, 500, 503],
  ),
  {
    id: 'RequestReturn',
    method: 'POST',
    path: '/orders/{orderId}/returns',
    entry: 'api/request-return',
    access: { write: true, partitions: ['order', 'returnId', 'idempotency', 'policy', 'tracking'], writes: ['order', 'returnId', 'idempotency', 'tracking'] },
    scopes: AUTHORITY.channel,
    operationId: 'requestReturn',
    summary: 'Return delivered units of the channel\'s own order, within the return window',
    description:
      'Creates a return (`REQUESTED`); one the return policy auto-approves (by reason and customer tier) is `APPROVED` and gets its carrier label ' +
      '(`LABEL_ISSUED`) in the same call. `409 /problems/return-not-allowed` for an order not delivered, past the window, a non-returnable ' +
      'product or more units than are left to return (`errors` names the lines); `400` for a SKU the order does not have. ' +
      'With an `Idempotency-Key` header a repeat answers `200` with the same return.',
    request: { params: orderPath, headers: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }), body: body(ReturnRequest) },
    responses: [
      { status: 201, description: 'Created; `Location` names the return', body: Return, headers: ['Location'] },
      { status: 200, description: 'A repeat of an earlier request with the same Idempotency-Key: the same return', body: Return, headers: ['Location'] },
    ],
    problems: [400, 403, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'ListOrderReturns',
    method: 'GET',
    path: '/orders/{orderId}/returns',
    entry: 'api/list-order-returns',
    access: { write: false, partitions: ['order'] },
    scopes: AUTHORITY.readOrders,
    operationId: 'listOrderReturns',
    summary: "The order's returns, oldest first: a channel's own orders, any for operators",
    request: { params: orderPath },
    responses: [{ status: 200, description: 'The returns', body: ReturnList }],
    problems: [400, 403, 404, 500, 503],
  },
  {
    id: 'GetReturn',
    method: 'GET',
    path: '/returns/{returnId}',
    entry: 'api/get-return',
    access: { write: false, partitions: ['order', 'returnId'] },
    scopes: AUTHORITY.readOrders,
    operationId: 'getReturn',
    summary: 'A return with its history: of a channel\'s own orders, any for operators',
    request: { params: returnPath },
    responses: [{ status: 200, description: 'The return', body: Return }],
    problems: [400, 403, 404, 500, 503],
  },
  returnStep(
    'approve',
    'ApproveReturn',
    ['order', 'returnId', 'tracking'],
    'Operators: approve a requested return; it gets its carrier label',
    'REQUESTED → APPROVED → LABEL_ISSUED. Approving again changes nothing, or asks the carrier again for a label that failed; `409` for a rejected or cancelled return.',
  ),
  returnStep(
    'reject',
    'RejectReturn',
    ['order', 'returnId'],
    'Operators: reject a requested return; its units can be returned again',
    'REQUESTED → REJECTED. Rejecting again changes nothing; `409` once approved.',
  ),
  {
    id: 'CancelReturn',
    method: 'POST',
    path: '/returns/{returnId}/cancel',
    entry: 'api/cancel-return',
    access: { write: true, partitions: ['order', 'returnId'], writes: ['order'] },
    scopes: AUTHORITY.cancel,
    operationId: 'cancelReturn',
    summary: 'Cancel a return before its parcel moves (a channel its own orders\' returns, an admin any)',
    description: 'REQUESTED, APPROVED or LABEL_ISSUED → CANCELLED; its units can be returned again. Cancelling again changes nothing; `409` once the parcel moved.',
    request: { params: returnPath },
    responses: [{ status: 200, description: 'The cancelled return', body: Return }],
    problems: [400, 403, 404, 409, 500, 503],
  },
  returnStep(
    'inspection',
    'InspectReturn',
    ['order', 'returnId', 'stock'],
    'Operators: record the inspection of a received return; sellable units go back on hand',
    'RECEIVED → INSPECTED → REFUND_REQUESTED. Every returned SKU once, `sellable + damaged` equal to the units returned (`400` naming the line otherwise). ' +
      'Sellable units go back on hand at the warehouse the line shipped from in the same transaction as INSPECTED, so a retry never restocks twice. ' +
      'The same inspection again changes nothing; other figures are `409`.',
    InspectionRequest,
  ),
  returnStep(
    'refund',
    'RecordRefund',
    ['order', 'returnId'],
    "Operators: record the payment partner's confirmation of the refund",
    'REFUND_REQUESTED → REFUNDED with the partner\'s `reference`. The same reference again changes nothing; another one is `409`.',
    RefundConfirmation,
  ),
  {
    id: 'PutInventory',
    method: 'PUT',
    path: '/inventory/{sku}',
    entry: 'api/put-inventory',
    access: { write: true, partitions: ['stock'] },
    scopes: AUTHORITY.admin,
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
    scopes: AUTHORITY.admin,
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
    scopes: AUTHORITY.admin,
    operationId: 'adjustInventory',
    summary: 'Receive or write off units at one warehouse',
    description:
      'Changes a count that exists: `404` for a SKU with no inventory, `400` for a warehouse the SKU is not stocked at (set it with `PUT /inventory/{sku}`).',
    request: { params: skuPath, body: body(inventoryAdjustmentSchema) },
    responses: [{ status: 200, description: 'The stock', body: Inventory }],
    problems: [400, 404, 409, 413, 415, 500, 503],
  },
  {
    id: 'ErasePersonalData',
    method: 'DELETE',
    path: '/customers/{customerId}/personal-data',
    entry: 'api/erase-personal-data',
    access: { write: true, partitions: ['order'], indexes: ['byCustomer'] },
    scopes: AUTHORITY.admin,
    operationId: 'erasePersonalData',
    summary: "Erase a customer's personal data from every order of theirs",
    description:
      'Name, phone, street, postal code, customer id, attribution and cancellation notes are erased from every order of the customer that has ended; ' +
      'each erased order emits `CustomerDataErased`, without the customer id. Orders still in flight are listed in `pending`: erase again once they have ended. ' +
      'Repeating the request is safe; `complete: false` means it stopped at its limit of orders: send it again for the rest.',
    request: { params: z.object({ customerId: customerIdSchema }) },
    responses: [{ status: 200, description: 'What was erased and what is left to erase', body: ErasureReport }],
    problems: [400, 500, 503],
  },
  {
    id: 'GetRoutingPolicy',
    method: 'GET',
    path: '/policies/routing',
    entry: 'api/get-routing-policy',
    access: { write: false, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
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
    scopes: AUTHORITY.admin,
    operationId: 'putRoutingPolicy',
    summary: 'Save the next version of the routing policy',
    description:
      'Conditional once a policy exists: send `If-Match` with the ETag you read (`"3"`), or `*` for whatever is live. ' +
      'A version that is no longer live answers `412` with the live ETag; no `If-Match` answers `428`. The first save needs none.',
    request: { headers: ifMatchHeader, body: body(RoutingPolicy) },
    responses: [{ status: 200, description: 'The saved policy', body: StoredRoutingPolicy, headers: ['ETag'] }],
    problems: [400, 409, 412, 413, 415, 428, 500, 503],
  },
  {
    id: 'ListRoutingPolicyVersions',
    method: 'GET',
    path: '/policies/routing/versions',
    entry: 'api/list-routing-policy-versions',
    access: { write: false, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'listRoutingPolicyVersions',
    summary: 'Every saved version of the routing policy, newest first, which is live and which is staged',
    responses: [{ status: 200, description: 'The versions', body: RoutingPolicyVersions }],
    problems: [500, 503],
  },
  {
    id: 'ActivateRoutingPolicyVersion',
    method: 'POST',
    path: '/policies/routing/versions/{version}/activate',
    entry: 'api/activate-routing-policy-version',
    access: { write: true, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'activateRoutingPolicyVersion',
    summary: 'Roll back: make an earlier version live again, as the next version',
    description:
      'Saves the earlier version\'s policy as the next version (with `activatedFrom`), so history only grows. ' +
      'The same `If-Match` rules as `PUT /policies/routing`: `412` for a version no longer live, `428` without one.',
    request: {
      params: z.object({ version: policyVersionSchema }),
      headers: z.object({
        'If-Match': z.string().optional().describe('The ETag of the live version, e.g. `"3"`, or `*`'),
      }),
    },
    responses: [{ status: 200, description: 'The new live version', body: StoredRoutingPolicy, headers: ['ETag'] }],
    problems: [400, 404, 409, 412, 428, 500, 503],
  },
  {
    id: 'StageRoutingPolicyVersion',
    method: 'POST',
    path: '/policies/routing/versions/{version}/stage',
    entry: 'api/stage-routing-policy-version',
    access: { write: true, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'stageRoutingPolicyVersion',
    summary: 'Staged rollout: a saved version routes a share of orders beside the live one',
    description:
      'Orders whose id hashes below `share` are routed under the staged version, the rest under the live one, each decision\'s ' +
      'explanation naming its arm (`route.explanation.rollout`); the same order always lands in the same arm. Replaces any stage; ' +
      'saving or activating a version ends it. The same `If-Match` rules as `PUT /policies/routing` on the live version; ' +
      '`409` for staging the live version itself.',
    request: { params: z.object({ version: policyVersionSchema }), headers: ifMatchHeader, body: body(routingPolicyStageRequestSchema) },
    responses: [{ status: 200, description: 'The live version and the staged one', body: RoutingPolicyStage }],
    problems: [400, 404, 409, 412, 413, 415, 428, 500, 503],
  },
  {
    id: 'EndRoutingPolicyStage',
    method: 'DELETE',
    path: '/policies/routing/candidate',
    entry: 'api/end-routing-policy-stage',
    access: { write: true, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'endRoutingPolicyStage',
    summary: 'End a staged rollout: the live version routes every order again',
    description: 'Ending no stage changes nothing. `404` before any policy is saved.',
    responses: [{ status: 200, description: 'The live version, with no candidate', body: RoutingPolicyStage }],
    problems: [404, 409, 412, 500, 503],
  },
  {
    id: 'GetReturnPolicy',
    method: 'GET',
    path: '/policies/returns',
    entry: 'api/get-return-policy',
    access: { write: false, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'getReturnPolicy',
    summary: 'The live return policy; its version is the ETag',
    responses: [{ status: 200, description: 'The live policy', body: StoredReturnPolicy, headers: ['ETag'] }],
    problems: [404, 500, 503],
  },
  {
    id: 'PutReturnPolicy',
    method: 'PUT',
    path: '/policies/returns',
    entry: 'api/put-return-policy',
    access: { write: true, partitions: ['policy'] },
    scopes: AUTHORITY.admin,
    operationId: 'putReturnPolicy',
    summary: 'Save the next version of the return policy',
    description: 'The same conditions as `PUT /policies/routing`: `If-Match` once a policy exists (`428` without), `412` for a version no longer live.',
    request: { headers: ifMatchHeader, body: body(ReturnPolicy) },
    responses: [{ status: 200, description: 'The saved policy', body: StoredReturnPolicy, headers: ['ETag'] }],
    problems: [400, 412, 413, 415, 428, 500, 503],
  },
  {
    id: 'DryRunRoutingPolicy',
    method: 'POST',
    path: '/policies/routing/dry-run',
    entry: 'api/dry-run-routing-policy',
    access: { write: false, partitions: ['order', 'stock', 'capacity', 'policy'], indexes: ['byChannel'] },
    scopes: AUTHORITY.admin,
    operationId: 'dryRunRoutingPolicy',
    summary: 'Try a draft policy on recent orders, next to the live one, changing nothing',
    description:
      'Both policies decide each of the newest orders of the channels given on the same inputs (today\'s free stock and ' +
      'capacity, as a new order would meet them), so the differences are the policy\'s. Answers per order and in total: ' +
      'routed and rejected, cost, carbon, promised days and split rate, with the deltas.',
    request: { body: body(routingDryRunRequestSchema) },
    responses: [{ status: 200, description: 'Live and draft decisions per order, totals and deltas', body: RoutingDryRunReport }],
    problems: [400, 413, 415, 500, 503],
  },
  {
    id: 'CarrierEvents',
    method: 'POST',
    path: '/carriers/{carrierId}/events',
    entry: 'api/carrier-events',
    access: { write: true, partitions: ['order', 'tracking', 'carrierEvent'] },
    secrets: ['carrierWebhooks'],
    scopes: 'public',
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
    scopes: 'public',
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
