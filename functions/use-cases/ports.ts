/**
 * What the use cases need from storage and the carriers, as interfaces: the DynamoDB classes in
 * `functions/store/` and the carriers in `functions/carriers/` implement them, tests may pass their own. Every table write of an
 * order goes through one unit of work, `OrderRepository.commit`, which answers with a
 * typed outcome instead of DynamoDB's cancellation codes.
 */
import type { Order, OrderStatus, ShippedParcel } from '../domain/order.ts';
import type { OrderTimer, OrderTimerKey } from '../domain/order-timers.ts';
import type { SealedPath } from '../domain/personal-data.ts';
import type { ParcelPlan } from '../domain/routing/decision.ts';
import type { QuoteOptionName } from '../domain/routing/quote-outcome.ts';
import type { OnHandChange, Reservation, SkuStock, StockMove } from '../domain/stock.ts';
import type { Restock, Return, ReturnLabel, ReturnLedger } from '../domain/returns.ts';

/** A reservation as stored: `revision` counts its writes, so a release can be guarded on the exact content it undoes. */
export type StoredReservation = Reservation & { revision: number };

export interface ParcelReference {
  orderId: string;
  parcelId: string;
  /** Set when the parcel is a return's: callbacks about it move the return, not the order. */
  returnId?: string;
}

export interface CarrierEventRecord extends ParcelReference {
  carrierId: string;
  eventId: string;
  trackingNumber: string;
  status: string;
  /** Set when `status` is `exception`. */
  exceptionCode?: string;
  occurredAt: string;
  /** `applied` moved the parcel (and maybe the order); `stale` was late or repeated and changed nothing. */
  outcome: 'applied' | 'stale';
  recordedAt: string;
}

/** One change of an order with its side effects, written all or nothing. */
export interface OrderChange {
  /**
   * The order as read, and what it becomes (absent: the order is not written, only
   * checked). The write is guarded on the exact state read: status, version, closing
   * mark and count of carrier events.
   */
  order: { before: Order; after?: Order };
  /**
   * `put`: written over the revision read (undefined: none may exist); `delete`: at the
   * revision read.
   */
  reservation?: { put: Reservation; expectedRevision?: number } | { delete: number };
  /** Stock counter moves; each is refused rather than take a counter below zero. */
  stock?: readonly StockMove[];
  /** Parcels added to (or given back from) warehouses' daily counts. */
  capacity?: ReadonlyArray<{ warehouseId: string; day: string; parcels: number }>;
  /** Which order and parcel a carrier's tracking number leads to. */
  tracking?: ReadonlyArray<{ carrierId: string; trackingNumber: string; parcel: ParcelReference }>;
  /** A carrier event recorded once: a second commit with the same event id is a Duplicate. */
  carrierEvent?: CarrierEventRecord;
}

/**
 * What a commit came to. Not committed, by what stood in the way (first match wins):
 * the order or its reservation changed since they were read (re-read and decide again),
 * a stock counter would go below zero, the carrier event was recorded before.
 */
export type CommitOutcome = { ok: true } | { ok: false; reason: 'OrderChanged' | 'ReservationChanged' | 'StockShort' | 'Duplicate' };

export interface CreateOrderResult {
  created: boolean;
  order: Order;
}

export interface OrderPage {
  orders: Order[];
  /** Opaque: the index position to continue from. */
  nextKey?: Record<string, unknown>;
}

export interface OrderRepository {
  /** Writes a new order with its idempotency keys; an existing key answers with its order, or IdempotencyConflict. */
  create(order: Order, requestHash: string, headerKey?: string): Promise<CreateOrderResult>;
  /** The order an earlier request with the channel's order id or Idempotency-Key created, if any, and that request's hash. */
  placedWith(channel: string, channelOrderId: string, headerKey?: string): Promise<{ orderId: string; requestHash: string } | undefined>;
  get(orderId: string): Promise<Order | undefined>;
  getReservation(orderId: string): Promise<StoredReservation | undefined>;
  list(query: { channel: string; status?: OrderStatus; limit: number; startKey?: Record<string, unknown> }): Promise<OrderPage>;
  /** A customer's orders across channels, newest first. */
  listByCustomer(query: { customerId: string; limit: number; startKey?: Record<string, unknown> }): Promise<OrderPage>;
  /** Up to `limit` orders of any channel changed after `since`, oldest change first. */
  changedSince(since: string, limit: number): Promise<Order[]>;
  commit(change: OrderChange): Promise<CommitOutcome>;
}

/** An order accepted by the storage-first intake, its personal values sealed: what the queue carries to the drainer. */
export interface AcceptedOrder {
  order: Order;
  requestHash: string;
  idempotencyKey?: string;
}

/** The storage-first intake's queue (docs/capacity.md, "Bursts beyond quotas"): orders accepted now, landed at the table's pace. */
export interface OrderIntakeQueue {
  enqueue(accepted: AcceptedOrder): Promise<void>;
}

/** Orders in flight (ADR 0002), by since when: the reconciler's index. */
export interface InFlightOrders {
  /** Ids of orders in flight since `cutoff` or earlier. */
  inFlightSince(cutoff: string): AsyncIterable<string>;
  /** Ids of orders awaiting a payment due at `now` or earlier (domain/payment.ts). */
  paymentDueBy(now: string): AsyncIterable<string>;
}

/** A customer's orders, by the customer id they were placed with. */
export interface CustomerOrders {
  /** Ids of the customer's orders as the index has them: eventually consistent, so read each before acting on it. */
  orderIdsOf(customerId: string): AsyncIterable<string>;
}

/** Starts fulfilment executions. */
export interface FulfilmentStarter {
  /** Starts an execution for the order; `attempt` names the execution. */
  start(orderId: string, attempt: number): Promise<void>;
}

export interface StockRepository {
  get(sku: string): Promise<SkuStock | undefined>;
  /**
   * Every active shard of each SKU; SKUs without stock are left out. `consistentRead: false`
   * halves the read units for callers whose writes are guarded anyway; `atLeast` reads shards
   * up to that count even when shard 0 says fewer.
   */
  getMany(
    skus: readonly string[],
    options?: { consistentRead?: boolean; atLeast?: ReadonlyMap<string, number> },
  ): Promise<Map<string, SkuStock>>;
  /** Shard counts, possibly cached: a stale count only costs a refused lock and a read of every shard. */
  shardCounts(skus: readonly string[]): Promise<Map<string, number>>;
  /** Writes an on-hand change computed from the stock at `revision`; false when the stock changed meanwhile. */
  commitOnHand(change: OnHandChange, revision: number): Promise<boolean>;
}

export interface CapacityRepository {
  /** Parcels per warehouse on `day`; warehouses without a count read 0. */
  usedOn(day: string, warehouseIds: readonly string[]): Promise<Record<string, number>>;
}

/** A delivery-option quote as stored: what it is bound to and the plan of each option, no personal data. */
export interface StoredQuote {
  quoteId: string;
  channel: string;
  /** `linesKey` of the quoted lines. */
  lines: string;
  /** `placeKey` of the quoted destination: country, region and city, what routing reads. */
  place: string;
  /** The quote is honoured for orders placed before this instant. */
  validUntil: string;
  policyVersion: number | null;
  /** Per option, the planner's candidate id of its plan (warehouses, carriers, services, in parcel order). */
  options: Record<QuoteOptionName, string>;
}

export interface QuoteRepository {
  save(quote: StoredQuote): Promise<void>;
  get(quoteId: string): Promise<StoredQuote | undefined>;
}

export interface TrackingRepository {
  findParcel(carrierId: string, trackingNumber: string): Promise<ParcelReference | undefined>;
  /** Records an event that changes no order; false if it was recorded before. */
  recordAlone(record: CarrierEventRecord): Promise<boolean>;
}

export interface PolicyVersion {
  version: number;
  updatedAt: string;
  /** Set on a version that re-activated an earlier one (a rollback): that version. */
  activatedFrom?: number;
}

export interface StoredPolicy<Document> extends PolicyVersion {
  document: Document;
  /** Set on a version that re-activated an earlier one (a rollback): that version's number. */
  restoredFrom?: number;
  /** On the live policy while another version is staged for a share of orders (a rollout). */
  candidate?: PolicyCandidate<Document>;
}

/** A saved version staged beside the live one for `share` (0-1, exclusive) of orders, with its document. */
export interface PolicyCandidate<Document> {
  version: number;
  share: number;
  stagedAt: string;
  document: Document;
}

export interface PolicyRepository {
  current<Document>(): Promise<StoredPolicy<Document> | undefined>;
  version<Document>(version: number): Promise<StoredPolicy<Document> | undefined>;
  /** Every saved version, newest first, without their documents. */
  versions(): Promise<PolicyVersion[]>;
  /** Saves the next version over `basedOn` (undefined: none yet); PolicyVersionConflict when someone saved first. */
  save<Document>(document: Document, basedOn: number | undefined, now: string, activatedFrom?: number): Promise<StoredPolicy<Document>>;
  /** Stages `candidate` beside live version `live`, or ends the stage (undefined); PolicyVersionConflict when `live` is not live. A save ends any stage. */
  stage<Document>(live: number, candidate: PolicyCandidate<Document> | undefined): Promise<void>;
}

/**
 * Seals and opens personal values (SEALED_PATHS): a sealed value is text that opens only for
 * the order and path it was sealed for, and only where the function may decrypt.
 */
export interface PersonalDataCipher {
  seal(orderId: string, path: SealedPath, plaintext: string): Promise<string>;
  open(orderId: string, path: SealedPath, sealed: string): Promise<string>;
}

/** A carrier as the workflow sees it. Both calls are idempotent per parcel id. */
export interface CarrierGateway {
  requestShipment(request: { orderId: string; parcelId: string; parcel: ParcelPlan }): Promise<ShippedParcel>;
  cancelShipment(request: { orderId: string; parcelId: string; carrier: string }): Promise<void>;
}

/**
 * One-time timers of orders (EventBridge Scheduler on AWS, local/scheduler locally). Both calls are
 * idempotent per order and kind: scheduling one that exists changes nothing (the first time stands),
 * cancelling one that does not exist (never made, already run) is not an error. A due timer runs
 * `fireOrderTimer` (functions/use-cases/order-timers.ts) at most a minute late, at least once.
 */
export interface OrderTimers {
  schedule(timer: OrderTimer): Promise<void>;
  cancel(timer: OrderTimerKey): Promise<void>;
}

/**
 * A carrier as returns see it: the same adapters (the sandbox carrier implements both), an
 * interface of its own so the workflow's carriers (and their test doubles) need not issue labels.
 */
export interface ReturnLabelGateway {
  /** A label for a parcel from the customer back to `warehouseId`; the same `parcelId` answers the same label. */
  createReturnLabel(request: { orderId: string; returnId: string; parcelId: string; carrier: string; warehouseId: string }): Promise<Omit<ReturnLabel, 'status' | 'statusAt'>>;
}

/** A new return with the order's ledger of returned units, and the channel's Idempotency-Key if it sent one. */
export interface NewReturn {
  created: Return;
  ledger: { before: ReturnLedger; after: ReturnLedger };
  idempotency?: { channel: string; key: string; requestHash: string };
}

/** One change of a return with its side effects, written all or nothing, guarded on the return's status and version. */
export interface ReturnChange {
  before: Return;
  after: Return;
  /** The order's ledger, when the change gives units back (rejected, cancelled). */
  ledger?: { before: ReturnLedger; after: ReturnLedger };
  /** Units back on hand (the inspection). */
  restock?: readonly Restock[];
  /** The return parcel's tracking number, when the label is issued. */
  tracking?: { carrierId: string; trackingNumber: string; parcel: ParcelReference };
  /** The carrier callback that made the change: a second commit with the same event id is a Duplicate. */
  carrierEvent?: CarrierEventRecord;
}

/** Not committed: the return or the ledger changed since read, the carrier event was seen, or a restock found no count to add to. */
export type ReturnCommitOutcome = { ok: true } | { ok: false; reason: 'ReturnChanged' | 'Duplicate' | 'NotStocked' };

export interface ReturnRepository {
  get(returnId: string): Promise<Return | undefined>;
  /** Read beside the order it belongs to, when the order id is known. */
  getOfOrder(orderId: string, returnId: string): Promise<Return | undefined>;
  listOfOrder(orderId: string): Promise<Return[]>;
  ledger(orderId: string): Promise<ReturnLedger>;
  /**
   * Writes a new return with the ledger; `created: false` with the return an Idempotency-Key
   * named before, 'LedgerChanged' when another return got in first (read again and decide again),
   * IdempotencyConflict for the same key with another request.
   */
  /** The return an Idempotency-Key of the channel named for this order, with the hash of the request it came with. */
  findByIdempotencyKey(channel: string, orderId: string, key: string): Promise<{ returnId: string; requestHash: string } | undefined>;
  create(change: NewReturn): Promise<{ created: true; return: Return } | { created: false; return: Return } | 'LedgerChanged'>;
  commit(change: ReturnChange): Promise<ReturnCommitOutcome>;
}
