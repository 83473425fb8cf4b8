/**
 * Tracking numbers and recorded carrier events, in the orders table. Both are written only
 * inside the transaction that changes the order, so they exist exactly when the change does.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTITY, carrierEventKey, trackingKey } from './keys.ts';
import type { TransactItem } from './order-store.ts';

/**
 * How long a carrier's event id is remembered. Carriers retry a callback for hours to a few
 * days; one arriving later still changes nothing, because a parcel's status never moves back.
 */
const CARRIER_EVENT_TTL_SECONDS = 14 * 24 * 60 * 60;

export interface ParcelReference {
  orderId: string;
  parcelId: string;
}

export interface CarrierEventRecord extends ParcelReference {
  carrierId: string;
  eventId: string;
  trackingNumber: string;
  status: string;
  occurredAt: string;
  /** `applied` moved the parcel (and maybe the order); `stale` was late or repeated and changed nothing. */
  outcome: 'applied' | 'stale';
  recordedAt: string;
}

export class TrackingStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** Written with the shipment: a retried request writes the same item again, so no condition. */
  trackingItem(carrierId: string, trackingNumber: string, parcel: ParcelReference): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...trackingKey(carrierId, trackingNumber), entityType: ENTITY.tracking, ...parcel },
      },
    };
  }

  async findParcel(carrierId: string, trackingNumber: string): Promise<ParcelReference | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: trackingKey(carrierId, trackingNumber), ConsistentRead: true }),
    );
    return Item ? { orderId: String(Item.orderId), parcelId: String(Item.parcelId) } : undefined;
  }

  /** Fails its condition when the carrier sent this event id before: the caller answers it as a duplicate. */
  carrierEventItem(record: CarrierEventRecord, nowMs = Date.now()): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...carrierEventKey(record.carrierId, record.eventId),
          entityType: ENTITY.carrierEvent,
          ...record,
          expiresAt: Math.floor(nowMs / 1000) + CARRIER_EVENT_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Records an event that changes no order (a plain put: a one-item transaction costs twice); false if it was recorded before. */
  async recordAlone(record: CarrierEventRecord, nowMs = Date.now()): Promise<boolean> {
    const { Put } = this.carrierEventItem(record, nowMs);
    try {
      await this.client.send(new PutCommand(Put as NonNullable<typeof Put>));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
