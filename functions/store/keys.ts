/**
 * Single-table layout of the orders table. Only order items carry `channel`,
 * `channelStatus` and `customerId`, so the list indexes stay sparse; `channelStatus` and
 * `updatedShard` only while the order is at rest (ADR 0006, domain/at-rest.ts).
 */

/**
 * How each kind of item's partition key begins: the keys below are built from these, and
 * each function's IAM policy names the ones it touches (`dynamodb:LeadingKeys`).
 */
export const PARTITIONS = {
  order: 'ORDER#',
  stock: 'SKU#',
  channelOrder: 'CHANNELORDER#',
  idempotency: 'IDEMPOTENCY#',
  tracking: 'TRACKING#',
  carrierEvent: 'CARRIEREVENT#',
  capacity: 'CAPACITY#',
  policy: 'POLICY#',
  quote: 'QUOTE#',
  returnId: 'RETURN#',
} as const;
export type Partition = keyof typeof PARTITIONS;

export const orderKey = (orderId: string) => ({ pk: `${PARTITIONS.order}${orderId}`, sk: 'ORDER' });
/**
 * The order's sealed personal values, apart from the order item that every step rewrites. Its
 * sort key begins with the order's, so one Query (`begins_with(sk, 'ORDER')`) reads both.
 */
export const personalDataKey = (orderId: string) => ({ pk: `${PARTITIONS.order}${orderId}`, sk: 'ORDER#PERSONAL' });
export const reservationKey = (orderId: string) => ({ pk: `${PARTITIONS.order}${orderId}`, sk: 'RESERVATION' });
/** A return lives beside its order, in the order's partition; its sort key does not begin with `ORDER`, so reading the order skips it. */
export const RETURN_SORT_PREFIX = 'RETURN#';
export const returnKey = (orderId: string, returnId: string) => ({ pk: `${PARTITIONS.order}${orderId}`, sk: `${RETURN_SORT_PREFIX}${returnId}` });
/** The units of each SKU the order's returns hold, guarding every return request against another racing it. */
export const returnLedgerKey = (orderId: string) => ({ pk: `${PARTITIONS.order}${orderId}`, sk: 'RETURNS' });
/** Which order a return id belongs to: `GET /returns/{returnId}` names only the return. */
export const returnIdKey = (returnId: string) => ({ pk: `${PARTITIONS.returnId}${returnId}`, sk: 'KEY' });
/** Shard 0 keeps the unsharded key; other shards get their own partition key, hence their own write capacity. */
export const stockKey = (sku: string, shard = 0) => ({
  pk: shard === 0 ? `${PARTITIONS.stock}${sku}` : `${PARTITIONS.stock}${sku}#${shard}`,
  sk: 'STOCK',
});
export const channelOrderKey = (channel: string, channelOrderId: string) => ({
  pk: `${PARTITIONS.channelOrder}${channel}#${channelOrderId}`,
  sk: 'KEY',
});
export const idempotencyKey = (channel: string, key: string) => ({ pk: `${PARTITIONS.idempotency}${channel}#${key}`, sk: 'KEY' });
/** The same header key on a return request: its own sort key, so it never collides with an order's. */
export const returnIdempotencyKey = (channel: string, orderId: string, key: string) => ({
  pk: `${PARTITIONS.idempotency}${channel}#${key}`,
  sk: `RETURN#${orderId}`,
});

/** Which order and parcel a carrier's tracking number belongs to: callbacks name only the tracking number. */
export const trackingKey = (carrierId: string, trackingNumber: string) => ({
  pk: `${PARTITIONS.tracking}${carrierId}#${trackingNumber}`,
  sk: 'KEY',
});
/** A carrier callback already recorded, by the carrier's own event id. */
export const carrierEventKey = (carrierId: string, eventId: string) => ({
  pk: `${PARTITIONS.carrierEvent}${carrierId}#${eventId}`,
  sk: 'KEY',
});

export const capacityKey = (warehouseId: string, day: string) => ({ pk: `${PARTITIONS.capacity}${warehouseId}`, sk: `DAY#${day}` });

export const policyCurrentKey = (name: string) => ({ pk: `${PARTITIONS.policy}${name}`, sk: 'CURRENT' });
/** Versions sort by number: zero-padded, under one prefix, so a query lists them newest first. */
export const POLICY_VERSION_PREFIX = 'VERSION#';
export const policyVersionKey = (name: string, version: number) => ({
  pk: `${PARTITIONS.policy}${name}`,
  sk: `${POLICY_VERSION_PREFIX}${String(version).padStart(10, '0')}`,
});

/** A delivery-option quote (`POST /quotes`), read back when an order references it; expires by TTL. */
export const quoteKey = (quoteId: string) => ({ pk: `${PARTITIONS.quote}${quoteId}`, sk: 'QUOTE' });

export const ENTITY = {
  order: 'Order',
  personalData: 'OrderPersonalData',
  reservation: 'Reservation',
  stock: 'Stock',
  channelOrderKey: 'ChannelOrderKey',
  idempotencyKey: 'IdempotencyKey',
  policy: 'Policy',
  capacity: 'WarehouseCapacity',
  tracking: 'TrackingNumber',
  carrierEvent: 'CarrierEvent',
  quote: 'DeliveryQuote',
  return: 'Return',
  returnLedger: 'ReturnLedger',
  returnIdKey: 'ReturnIdKey',
} as const;

/**
 * Global secondary indexes of the orders table, by name: partition and sort key attributes.
 * The table's construct (lib/order-store.ts) creates them from this, the store queries them.
 */
export const ORDER_INDEXES = {
  /** Orders in a resting status only (ADR 0006): a status in flight is never listed from here. */
  byChannelStatus: { partitionKey: 'channelStatus', sortKey: 'orderId' },
  byChannel: { partitionKey: 'channel', sortKey: 'orderId' },
  byCustomer: { partitionKey: 'customerId', sortKey: 'orderId' },
  byInFlightSince: { partitionKey: 'inFlightShard', sortKey: 'inFlightSince' },
  /** Orders at rest by when they came to rest or last changed, across channels: what operators poll with `updatedSince` (ADR 0006). */
  byUpdatedAt: { partitionKey: 'updatedShard', sortKey: 'updatedAt' },
} as const;

/** Name of a global secondary index of the orders table. */
export type OrderIndexName = keyof typeof ORDER_INDEXES;

/**
 * Partitions of the `byInFlightSince` index: at the target peak of ~2,100 orders/s each order enters
 * and leaves it once, ~4,200 index writes/s, over the 1,000 a partition takes. The `byUpdatedAt`
 * index takes a write per version at rest (1 on the happy path, a few more as carriers report;
 * under ~6 per order, ~12,600/s at peak) over the same 16 partitions: under their 16,000.
 */
export const IN_FLIGHT_SHARDS = 16;
export const UPDATED_SHARDS = IN_FLIGHT_SHARDS;

/** The order's partition of the `byInFlightSince` and `byUpdatedAt` indexes, spread by its id. */
export function inFlightShardOf(orderId: string): string {
  let sum = 0;
  for (const char of orderId) sum = (sum * 31 + char.charCodeAt(0)) % 65_521;
  return String(sum % IN_FLIGHT_SHARDS);
}

/**
 * The order's partition of the `byInFlightSince` index while it awaits payment: apart from the orders in
 * flight, with its payment's due time as the sort key, so the reconciler reads those due and nothing else.
 */
export const paymentDueShard = (shard: string | number): string => `payment-${shard}`;
export const paymentDueShardOf = (orderId: string): string => paymentDueShard(inFlightShardOf(orderId));
