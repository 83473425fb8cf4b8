/**
 * Orders, their reservations and the idempotency keys that guard their creation,
 * in the orders table, and the unit of work that writes an order change with its side
 * effects. Every order write is guarded on the exact state it was decided from; the
 * table's stream turns each new version into an event (no dual writes).
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Order, OrderStatus } from '../domain/order.ts';
import type { CommitOutcome, CreateOrderResult, OrderChange, OrderPage, OrderRepository, StoredReservation } from '../use-cases/ports.ts';
import { batchGetAll, cancellationReasons, isRetryableConflict, transactParts, type TransactItem } from './dynamodb.ts';
import { ENTITY, ORDER_INDEXES, UPDATED_SHARDS, channelOrderKey, idempotencyKey, orderKey, personalDataKey, reservationKey } from './keys.ts';
import { fromOrderItems, sealedValuesOf, toOrderItem, toPersonalDataItem } from './order-item.ts';
import { capacityCountItem } from './capacity-store.ts';
import { stockMoveItem } from './stock-store.ts';
import { carrierEventItem, trackingItem } from './tracking-store.ts';
import { IdempotencyConflict, TransientError } from '../domain/errors.ts';

const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

/** The parts of a change, in the order their failed conditions are reported. */
type Part = 'order' | 'personalData' | 'reservation' | 'stock' | 'capacity' | 'tracking' | 'carrierEvent';
const COMMIT_FAILURES = ['order', 'reservation', 'stock', 'carrierEvent'] as const satisfies readonly Part[];
const FAILURE_OF = {
  order: 'OrderChanged',
  reservation: 'ReservationChanged',
  stock: 'StockShort',
  carrierEvent: 'Duplicate',
} as const satisfies Record<(typeof COMMIT_FAILURES)[number], string>;

/**
 * The order still in the state a decision was made from: status and version, the closing
 * mark (absent, or the same), and the count of carrier events (a parcel's status can
 * change while the order's status and version stay, so of two concurrent callbacks for
 * different parcels, one must decide again).
 */
function orderGuard(before: Order) {
  const conditions = ['#status = :status', '#version = :version'];
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = { ':status': before.status, ':version': before.version };
  names['#closing'] = 'closing';
  if (before.closing) {
    conditions.push('#closing.#version = :closingVersion');
    values[':closingVersion'] = before.closing.version;
  } else {
    conditions.push('attribute_not_exists(#closing)');
  }
  names['#shipment'] = 'shipment';
  names['#carrierEvents'] = 'carrierEvents';
  const carrierEvents = before.shipment?.carrierEvents;
  if (carrierEvents === undefined) {
    conditions.push('attribute_not_exists(#shipment.#carrierEvents)');
  } else {
    conditions.push('#shipment.#carrierEvents = :carrierEvents');
    values[':carrierEvents'] = carrierEvents;
  }
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** The reservation still at the revision read (reservations written before revisions existed count as 0). */
function revisionGuard(revision: number) {
  return {
    ConditionExpression: '(#revision = :revision OR (attribute_not_exists(#revision) AND :revision = :zero))',
    ExpressionAttributeNames: { '#revision': 'revision' },
    ExpressionAttributeValues: { ':revision': revision, ':zero': 0 },
  };
}

export class OrderStore implements OrderRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /**
   * Writes the order and its keys in one transaction: the channel's order id
   * (permanent) and the Idempotency-Key header (24 h). If a key exists, answers
   * with the order it points to when the request is the same, else IdempotencyConflict.
   */
  async create(order: Order, requestHash: string, headerKey?: string, now = Date.now()): Promise<CreateOrderResult> {
    const keyItems = [
      { ...channelOrderKey(order.channel, order.channelOrderId), entityType: ENTITY.channelOrderKey },
      ...(headerKey
        ? [
            {
              ...idempotencyKey(order.channel, headerKey),
              entityType: ENTITY.idempotencyKey,
              expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
            },
          ]
        : []),
    ];
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: toOrderItem(order),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // The keys' cancellation reasons are read by position, from the second on.
            ...keyItems.map((item) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...item, orderId: order.orderId, requestHash },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            })),
            ...this.personalDataItems(undefined, order),
          ],
        }),
      );
      return { created: true, order };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const existing = reasons
        .slice(1)
        .map((reason) => reason.Item)
        .find((item): item is Record<string, unknown> => item !== undefined);
      if (!existing) {
        if (isRetryableConflict(reasons)) throw new TransientError('Concurrent write on the same order key');
        throw error;
      }
      const existingOrderId = String(existing.orderId);
      if (existing.requestHash !== requestHash) throw new IdempotencyConflict(existingOrderId);
      const found = await this.get(existingOrderId);
      if (!found) throw new TransientError(`Order ${existingOrderId} is not readable yet`);
      return { created: false, order: found };
    }
  }

  /**
   * The keys an earlier request would have written (see {@link create}), in one eventually consistent BatchGet: half
   * the read units of a consistent one, which counts at a burst's rate, and a miss only queues a copy that the
   * drainer's conditional transaction then lands as a repeat.
   */
  async placedWith(channel: string, channelOrderId: string, headerKey?: string): Promise<{ orderId: string; requestHash: string } | undefined> {
    const keys = [channelOrderKey(channel, channelOrderId), ...(headerKey ? [idempotencyKey(channel, headerKey)] : [])];
    const [found] = await batchGetAll(this.client, this.tableName, keys, false);
    return found ? { orderId: String(found.orderId), requestHash: String(found.requestHash) } : undefined;
  }

  /** The order item and its personal data item, in one Query. */
  async get(orderId: string): Promise<Order | undefined> {
    const { pk, sk } = orderKey(orderId);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
        ConsistentRead: true,
      }),
    );
    return fromOrderItems(Items);
  }

  async getReservation(orderId: string): Promise<StoredReservation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: reservationKey(orderId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const revision = Number(Item.revision ?? 0);
    return Item.state === 'LOCKED'
      ? { orderId, state: 'LOCKED', lines: Item.lines, locks: Item.locks, revision }
      : { orderId, state: 'ALLOCATED', lines: Item.lines, allocations: Item.allocations, capacityDay: Item.capacityDay, revision };
  }

  /** A channel's orders, newest first, optionally in one status. */
  async list(query: { channel: string; status?: OrderStatus; limit: number; startKey?: Record<string, unknown> }): Promise<OrderPage> {
    const byStatus = query.status !== undefined;
    const index = byStatus ? 'byChannelStatus' : 'byChannel';
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': ORDER_INDEXES[index].partitionKey },
        ExpressionAttributeValues: { ':partition': byStatus ? `${query.channel}#${query.status}` : query.channel },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.startKey,
      }),
    );
    const orders = await this.getMany(Items.map((item) => String(item.orderId)));
    return { orders, ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}) };
  }

  /** A customer's orders across channels, newest first. */
  async listByCustomer(query: { customerId: string; limit: number; startKey?: Record<string, unknown> }): Promise<OrderPage> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byCustomer',
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': ORDER_INDEXES.byCustomer.partitionKey },
        ExpressionAttributeValues: { ':partition': query.customerId },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.startKey,
      }),
    );
    const orders = await this.getMany(Items.map((item) => String(item.orderId)));
    return { orders, ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}) };
  }

  /**
   * Up to `limit` orders of any channel changed after `since`, oldest change first: each
   * partition of the `byUpdatedAt` index read from `since`, merged. A caller continues from
   * the last order's `updatedAt`.
   */
  async changedSince(since: string, limit: number): Promise<Order[]> {
    const { partitionKey, sortKey } = ORDER_INDEXES.byUpdatedAt;
    const shards = await Promise.all(
      Array.from({ length: UPDATED_SHARDS }, async (_, shard) => {
        const { Items = [] } = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byUpdatedAt',
            KeyConditionExpression: '#partition = :shard AND #sort > :since',
            ExpressionAttributeNames: { '#partition': partitionKey, '#sort': sortKey },
            ExpressionAttributeValues: { ':shard': String(shard), ':since': since },
            Limit: limit,
          }),
        );
        return Items.map((item) => ({ orderId: String(item.pk).slice('ORDER#'.length), updatedAt: String(item.updatedAt) }));
      }),
    );
    const first = shards
      .flat()
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0))
      .slice(0, limit);
    return this.getMany(first.map((entry) => entry.orderId));
  }

  /** Orders by id, in the order asked; ids that vanished meanwhile are skipped. */
  private async getMany(orderIds: string[]): Promise<Order[]> {
    if (orderIds.length === 0) return [];
    const keys = orderIds.flatMap((orderId) => [orderKey(orderId), personalDataKey(orderId)]);
    const items = await batchGetAll(this.client, this.tableName, keys, false);
    return orderIds.flatMap((orderId) => fromOrderItems(items.filter((item) => item.pk === orderKey(orderId).pk)) ?? []);
  }

  /**
   * The unit of work: the order change and its side effects in one transaction (a plain
   * conditional put when only the order is written: a one-item transaction costs twice the
   * write units). Cancellation codes are read here, by position, and nowhere else.
   */
  async commit(change: OrderChange): Promise<CommitOutcome> {
    const items = this.changeItems(change);
    if (items.length === 1 && items[0]!.Put) return this.putAlone(items[0]!.Put);
    const refused = await transactParts(this.client, items);
    if (!refused) return { ok: true };
    const reason = COMMIT_FAILURES.find((part) => refused.failed.has(part));
    if (!reason) throw refused.error;
    return { ok: false, reason: FAILURE_OF[reason] };
  }

  private async putAlone(put: NonNullable<TransactItem['Put']>): Promise<CommitOutcome> {
    try {
      await this.client.send(new PutCommand(put));
      return { ok: true };
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return { ok: false, reason: 'OrderChanged' };
      throw error;
    }
  }

  private changeItems(change: OrderChange): Array<{ part: Part; item: TransactItem; Put?: TransactItem['Put'] }> {
    const tagged = (part: Part, item: TransactItem) => ({ part, item, ...(item.Put ? { Put: item.Put } : {}) });
    const { before, after } = change.order;
    return [
      tagged('order', after ? { Put: { TableName: this.tableName, Item: toOrderItem(after), ...orderGuard(before) } } : {
        ConditionCheck: { TableName: this.tableName, Key: orderKey(before.orderId), ...orderGuard(before) },
      }),
      ...this.personalDataItems(before, after).map((item) => tagged('personalData', item)),
      ...(change.reservation ? [tagged('reservation', this.reservationItem(before.orderId, change.reservation))] : []),
      ...(change.stock ?? []).map((move) => tagged('stock', stockMoveItem(this.tableName, move))),
      ...(change.capacity ?? []).map(({ warehouseId, day, parcels }) => tagged('capacity', capacityCountItem(this.tableName, warehouseId, day, parcels))),
      ...(change.tracking ?? []).map(({ carrierId, trackingNumber, parcel }) => tagged('tracking', trackingItem(this.tableName, carrierId, trackingNumber, parcel))),
      ...(change.carrierEvent ? [tagged('carrierEvent', carrierEventItem(this.tableName, change.carrierEvent))] : []),
    ];
  }

  /**
   * The personal data item's write when the sealed values change (placed, address changed,
   * a cancel's note, erased): put whole, so a value removed stays removed, and deleted once
   * none is left. Unguarded: it goes with the order's write, which is guarded.
   */
  private personalDataItems(before: Order | undefined, after: Order | undefined): TransactItem[] {
    if (!after) return [];
    const old = before ? sealedValuesOf(before) : new Map<string, string>();
    const next = sealedValuesOf(after);
    if (next.size === old.size && [...next].every(([path, value]) => old.get(path) === value)) return [];
    const item = toPersonalDataItem(after);
    return [item ? { Put: { TableName: this.tableName, Item: item } } : { Delete: { TableName: this.tableName, Key: personalDataKey(after.orderId) } }];
  }

  private reservationItem(orderId: string, change: NonNullable<OrderChange['reservation']>): TransactItem {
    const key = reservationKey(orderId);
    if ('delete' in change) return { Delete: { TableName: this.tableName, Key: key, ...revisionGuard(change.delete) } };
    const { put: reservation, expectedRevision } = change;
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...key,
          entityType: ENTITY.reservation,
          state: reservation.state,
          revision: (expectedRevision ?? 0) + 1,
          lines: reservation.lines,
          ...(reservation.state === 'LOCKED'
            ? { locks: reservation.locks }
            : { allocations: reservation.allocations, capacityDay: reservation.capacityDay }),
        },
        ...(expectedRevision === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : revisionGuard(expectedRevision)),
      },
    };
  }
}
