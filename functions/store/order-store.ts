/**
 * Orders, their reservations and the idempotency keys that guard their creation,
 * in the orders table. Every status change is a conditional write on status and
 * version; the table's stream turns each one into an event (no dual writes).
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Order, OrderStatus } from '../domain/order.ts';
import type { Reservation } from '../domain/stock.ts';
import { batchGetAll, cancellationReasons, isRetryableConflict } from './dynamodb.ts';
import { ENTITY, INDEX, channelOrderKey, idempotencyKey, orderKey, reservationKey } from './keys.ts';
import { fromOrderItem, toOrderItem } from './order-item.ts';
import { IdempotencyConflict, TransientError } from '../domain/errors.ts';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
export type { TransactItem };

const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

/** Another writer changed the order first; the caller re-reads and decides again. */
export class StaleOrder extends Error {
  override name = 'StaleOrder';
}

export interface CreateOrderResult {
  created: boolean;
  order: Order;
}

export interface OrderPage {
  orders: Order[];
  /** Opaque: the index position to continue from. */
  nextKey?: Record<string, unknown>;
}

export class OrderStore {
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
            ...keyItems.map((item) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...item, orderId: order.orderId, requestHash },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            })),
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

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    return Item ? fromOrderItem(Item) : undefined;
  }

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: reservationKey(orderId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return Item.state === 'LOCKED'
      ? { orderId, state: 'LOCKED', lines: Item.lines, locks: Item.locks }
      : { orderId, state: 'ALLOCATED', lines: Item.lines, allocations: Item.allocations, capacityDay: Item.capacityDay };
  }

  /** A channel's orders, newest first, optionally in one status. */
  async list(query: { channel: string; status?: OrderStatus; limit: number; startKey?: Record<string, unknown> }): Promise<OrderPage> {
    const byStatus = query.status !== undefined;
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byStatus ? INDEX.byChannelStatus : INDEX.byChannel,
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': byStatus ? 'channelStatus' : 'channel' },
        ExpressionAttributeValues: { ':partition': byStatus ? `${query.channel}#${query.status}` : query.channel },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.startKey,
      }),
    );
    const orders = await this.getMany(Items.map((item) => String(item.orderId)));
    return { orders, ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}) };
  }

  /** Orders by id, in the order asked; ids that vanished meanwhile are skipped. */
  private async getMany(orderIds: string[]): Promise<Order[]> {
    if (orderIds.length === 0) return [];
    const items = await batchGetAll(this.client, this.tableName, orderIds.map(orderKey), false);
    const found = new Map(items.map((item) => [String(item.orderId), fromOrderItem(item)]));
    return orderIds.flatMap((orderId) => found.get(orderId) ?? []);
  }

  /** The write that moves `before` to `after`, guarded on the status and version it was decided from. */
  transitionItem(before: Order, after: Order): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: toOrderItem(after),
        ConditionExpression: '#status = :status AND #version = :version',
        ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
        ExpressionAttributeValues: { ':status': before.status, ':version': before.version },
      },
    };
  }

  /**
   * The write that records a carrier event on the order. A parcel's status can change while the
   * order's status and version stay, so the write is also guarded on the count of carrier events
   * it was decided from: of two concurrent callbacks for different parcels, one must decide again.
   */
  trackingUpdateItem(before: Order, after: Order): TransactItem {
    const { Put } = this.transitionItem(before, after);
    const carrierEvents = before.shipment?.carrierEvents;
    return {
      Put: {
        ...Put!,
        ConditionExpression: `${Put!.ConditionExpression} AND ${
          carrierEvents === undefined ? 'attribute_not_exists(#shipment.#carrierEvents)' : '#shipment.#carrierEvents = :carrierEvents'
        }`,
        ExpressionAttributeNames: { ...Put!.ExpressionAttributeNames, '#shipment': 'shipment', '#carrierEvents': 'carrierEvents' },
        ExpressionAttributeValues: { ...Put!.ExpressionAttributeValues, ...(carrierEvents === undefined ? {} : { ':carrierEvents': carrierEvents }) },
      },
    };
  }

  /** Guards another write on the order not holding a shipment (so its stock must stay where it is). */
  notShippedCheck(orderId: string, shipmentStatuses: readonly OrderStatus[]): TransactItem {
    const values = Object.fromEntries(shipmentStatuses.map((status, i) => [`:s${i}`, status]));
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: orderKey(orderId),
        ConditionExpression: `NOT #status IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    };
  }

  /** Guards another write on the reservation still being in `state`. */
  reservationCheck(orderId: string, state: Reservation['state']): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: reservationKey(orderId),
        ConditionExpression: '#state = :expected',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':expected': state },
      },
    };
  }

  putReservationItem(reservation: Reservation, expectedState?: Reservation['state']): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...reservationKey(reservation.orderId),
          entityType: ENTITY.reservation,
          state: reservation.state,
          lines: reservation.lines,
          ...(reservation.state === 'LOCKED'
            ? { locks: reservation.locks }
            : { allocations: reservation.allocations, capacityDay: reservation.capacityDay }),
        },
        ...(expectedState
          ? {
              ConditionExpression: '#state = :expected',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':expected': expectedState },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    };
  }

  deleteReservationItem(orderId: string, expectedState: Reservation['state']): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: reservationKey(orderId),
        ConditionExpression: '#state = :expected',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':expected': expectedState },
      },
    };
  }

  /**
   * Runs the items as one transaction. Returns the per-item cancellation codes when
   * a condition failed, so the caller can tell "someone else got there first" from
   * "not enough stock"; write conflicts and throttling become TransientError.
   */
  async transact(items: TransactItem[]): Promise<{ ok: true } | { ok: false; codes: string[] }> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (isRetryableConflict(reasons)) throw new TransientError('Transaction conflicted with a concurrent write');
      return { ok: false, codes: reasons.map((reason) => reason.Code ?? 'None') };
    }
  }

  /**
   * Records facts on the order without a transition (same status and version, so the
   * stream relay emits no event), guarded like a transition.
   */
  async annotate(order: Order, changes: Partial<Order>): Promise<void> {
    await this.saveTransition(order, { ...order, ...changes, status: order.status, version: order.version });
  }

  /** Saves a transition that needs nothing else changed atomically. Throws StaleOrder if someone else moved it first. */
  async saveTransition(before: Order, after: Order): Promise<void> {
    // A plain conditional put: a one-item transaction would cost twice the write units.
    const { Put } = this.transitionItem(before, after);
    try {
      await this.client.send(new PutCommand(Put as NonNullable<typeof Put>));
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new StaleOrder(`Order ${before.orderId} changed concurrently`);
      }
      throw error;
    }
  }
}
