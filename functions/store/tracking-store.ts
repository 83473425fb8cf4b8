/**
 * Tracking numbers and recorded carrier events, in the orders table. Both are written only
 * inside the commit that changes the order, so they exist exactly when the change does.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CarrierEventRecord, ParcelReference, TrackingRepository } from '../use-cases/ports.ts';
import type { TransactItem } from './dynamodb.ts';
import { ENTITY, carrierEventKey, trackingKey } from './keys.ts';

/**
 * How long a carrier's event id is remembered. Carriers retry a callback for hours to a few
 * days; one arriving later still changes nothing, because a parcel's status never moves back.
 */
const CARRIER_EVENT_TTL_SECONDS = 14 * 24 * 60 * 60;

/** Written with the shipment: a retried request writes the same item again, so no condition. */
export function trackingItem(tableName: string, carrierId: string, trackingNumber: string, parcel: ParcelReference): TransactItem {
  return { Put: { TableName: tableName, Item: { ...trackingKey(carrierId, trackingNumber), entityType: ENTITY.tracking, ...parcel } } };
}

/** Fails its condition when the carrier sent this event id before: the commit answers Duplicate. */
export function carrierEventItem(tableName: string, record: CarrierEventRecord, nowMs = Date.now()): TransactItem {
  return {
    Put: {
      TableName: tableName,
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

export class TrackingStore implements TrackingRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async findParcel(carrierId: string, trackingNumber: string): Promise<ParcelReference | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: trackingKey(carrierId, trackingNumber), ConsistentRead: true }),
    );
    return Item
      ? { orderId: String(Item.orderId), parcelId: String(Item.parcelId), ...(Item.returnId ? { returnId: String(Item.returnId) } : {}) }
      : undefined;
  }

  /** Records an event that changes no order (a plain put: a one-item transaction costs twice); false if it was recorded before. */
  async recordAlone(record: CarrierEventRecord, nowMs = Date.now()): Promise<boolean> {
    const { Put } = carrierEventItem(this.tableName, record, nowMs);
    try {
      await this.client.send(new PutCommand(Put!));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
