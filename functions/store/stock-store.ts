/**
 * Stock counters in the orders table, one item per SKU. Every change is a
 * conditional update whose conditions are "no counter goes below zero", so
 * DynamoDB itself refuses an oversell, however many orders race.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InventoryConflict, TransientError } from '../domain/errors.ts';
import { setOnHand, type StockMove, type StockRecord } from '../domain/stock.ts';
import { batchGetAll } from './dynamodb.ts';
import { ENTITY, stockKey } from './keys.ts';
import type { TransactItem } from './order-store.ts';

const SET_ON_HAND_ATTEMPTS = 5;

function fromStockItem(item: Record<string, unknown>): StockRecord {
  return {
    sku: String(item.sku),
    available: Number(item.available),
    reserved: Number(item.reserved),
    warehouses: (item.warehouses ?? {}) as StockRecord['warehouses'],
  };
}

/** The update expression for a move: deltas applied in place, never read-modify-write. */
function moveExpression(move: StockMove) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  const add = (path: string, delta: number, key: string) => {
    if (delta === 0) return;
    values[`:d${key}`] = delta;
    sets.push(`${path} = ${path} + :d${key}`);
    if (delta < 0) {
      values[`:m${key}`] = -delta;
      conditions.push(`${path} >= :m${key}`);
    }
  };
  if (move.available !== 0) names['#available'] = 'available';
  if (move.reserved !== 0) names['#reserved'] = 'reserved';
  add('#available', move.available, 'a');
  add('#reserved', move.reserved, 'r');
  Object.entries(move.free).forEach(([warehouseId, delta], i) => {
    names['#warehouses'] = 'warehouses';
    names['#free'] = 'free';
    names[`#w${i}`] = warehouseId;
    add(`#warehouses.#w${i}.#free`, delta, `w${i}`);
  });
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export class StockStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async get(sku: string): Promise<StockRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: stockKey(sku), ConsistentRead: true }),
    );
    return Item ? fromStockItem(Item) : undefined;
  }

  async getMany(skus: readonly string[]): Promise<StockRecord[]> {
    if (skus.length === 0) return [];
    const items = await batchGetAll(this.client, this.tableName, skus.map(stockKey), true);
    return items.map(fromStockItem);
  }

  /** A transaction item applying the move; its condition fails instead of letting a counter go negative. */
  moveItem(move: StockMove): TransactItem {
    return { Update: { TableName: this.tableName, Key: stockKey(move.sku), ...moveExpression(move) } };
  }

  /**
   * Replaces on-hand counts while orders are in flight. Only the on-hand values
   * read are guarded; available and free change by deltas, so a reservation made
   * between the read and the write is kept, not overwritten.
   */
  async setOnHand(sku: string, desired: Record<string, number>): Promise<StockRecord> {
    for (let attempt = 0; attempt < SET_ON_HAND_ATTEMPTS; attempt++) {
      const current = await this.get(sku);
      const change = setOnHand(sku, current, desired);
      try {
        if (!current) {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...stockKey(sku),
                entityType: ENTITY.stock,
                sku,
                available: change.move.available,
                reserved: 0,
                warehouses: Object.fromEntries(
                  Object.entries(change.newOnHand).map(([id, onHand]) => [id, { onHand, free: onHand }]),
                ),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } else {
          await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: stockKey(sku), ...onHandExpression(change) }));
        }
        const saved = await this.get(sku);
        if (!saved) throw new TransientError(`Stock for ${sku} is not readable yet`);
        return saved;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      }
    }
    throw new InventoryConflict(`Stock for ${sku} kept changing; try again`);
  }
}

function onHandExpression(change: ReturnType<typeof setOnHand>) {
  // New warehouses are written whole below; a delta on their `free` would overlap that path.
  const existingFree = Object.fromEntries(
    Object.entries(change.move.free).filter(([warehouseId]) => change.expectedOnHand[warehouseId] !== undefined),
  );
  const { UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = moveExpression({
    ...change.move,
    free: existingFree,
  });
  // DynamoDB rejects unused attribute names, so each is added where it is used.
  const names: Record<string, string> = { ...ExpressionAttributeNames, '#warehouses': 'warehouses' };
  const values: Record<string, unknown> = { ...ExpressionAttributeValues };
  const sets = UpdateExpression === 'SET ' ? [] : [UpdateExpression.slice('SET '.length)];
  const conditions = ConditionExpression ? [ConditionExpression] : [];
  Object.entries(change.newOnHand).forEach(([warehouseId, onHand], i) => {
    const expected = change.expectedOnHand[warehouseId];
    names[`#o${i}`] = warehouseId;
    if (expected === undefined) {
      sets.push(`#warehouses.#o${i} = :n${i}`);
      values[`:n${i}`] = { onHand, free: onHand };
      conditions.push(`attribute_not_exists(#warehouses.#o${i})`);
      return;
    }
    names['#onHand'] = 'onHand';
    values[`:o${i}`] = onHand;
    sets.push(`#warehouses.#o${i}.#onHand = :o${i}`);
    values[`:e${i}`] = expected;
    conditions.push(`#warehouses.#o${i}.#onHand = :e${i}`);
  });
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
