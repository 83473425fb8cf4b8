/**
 * Parcels each warehouse has been given today, one counter item per warehouse
 * and day (so a busy warehouse does not share a partition with the others),
 * counted in the same transaction as the allocation that creates the parcel, so
 * a retried step never counts twice. Items expire two days after their day.
 */
import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityRepository } from '../use-cases/ports.ts';
import { batchGetAll, type TransactItem } from './dynamodb.ts';
import { capacityKey, ENTITY } from './keys.ts';

const KEEP_SECONDS = 2 * 24 * 3600;

export interface CapacityStoreOptions {
  /**
   * How long counts read are reused in this process. Capacity is a soft limit
   * (a warehouse's daily plan), so counts a few seconds old are fine, and every
   * order would otherwise read one item per warehouse.
   */
  cacheMs?: number;
}

export class CapacityStore implements CapacityRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly cacheMs: number;
  private cache: { day: string; at: number; used: Record<string, number> } | undefined;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: CapacityStoreOptions = {}) {
    this.client = client;
    this.tableName = tableName;
    this.cacheMs = options.cacheMs ?? 5_000;
  }

  /** Parcels per warehouse on `day` (YYYY-MM-DD); warehouses without a counter are left out. */
  async usedOn(day: string, warehouseIds: readonly string[]): Promise<Record<string, number>> {
    const fresh = this.cache && this.cache.day === day && Date.now() - this.cache.at <= this.cacheMs;
    if (!fresh || warehouseIds.some((id) => !(id in this.cache!.used))) {
      const items = await batchGetAll(this.client, this.tableName, warehouseIds.map((id) => capacityKey(id, day)), false);
      const used = Object.fromEntries(warehouseIds.map((id) => [id, 0]));
      for (const item of items) used[String(item.warehouseId)] = Number(item.parcels ?? 0);
      this.cache = { day, at: Date.now(), used };
    }
    return Object.fromEntries(warehouseIds.map((id) => [id, this.cache!.used[id] ?? 0]));
  }
}

/** A transaction item adding `parcels` (negative to give them back) to a warehouse's count for `day`. */
export function capacityCountItem(tableName: string, warehouseId: string, day: string, parcels: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: capacityKey(warehouseId, day),
      UpdateExpression: 'ADD #parcels :parcels SET #entityType = :entityType, #warehouseId = :warehouseId, #day = :day, #expiresAt = :expiresAt',
      ExpressionAttributeNames: {
        '#parcels': 'parcels',
        '#entityType': 'entityType',
        '#warehouseId': 'warehouseId',
        '#day': 'day',
        '#expiresAt': 'expiresAt',
      },
      ExpressionAttributeValues: {
        ':parcels': parcels,
        ':entityType': ENTITY.capacity,
        ':warehouseId': warehouseId,
        ':day': day,
        ':expiresAt': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + KEEP_SECONDS,
      },
    },
  };
}
