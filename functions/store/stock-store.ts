/**
 * Stock counters in the orders table, one item per SKU counter shard. Every
 * change is a conditional update whose conditions are "no counter goes below
 * zero", so DynamoDB itself refuses an oversell, however many orders race.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../domain/errors.ts';
import type { OnHandChange, ShardChange, SkuStock, StockMove, StockShard } from '../domain/stock.ts';
import type { StockRepository } from '../use-cases/ports.ts';
import { batchGetAll, cancellationReasons, isRetryableConflict, type TransactItem } from './dynamodb.ts';
import { ENTITY, stockKey } from './keys.ts';

export interface StockStoreOptions {
  /**
   * How long a SKU's shard count is trusted without reading it again. A stale
   * count is harmless: a lock in a shard that no longer has stock is refused and
   * the step reads every shard before it tries again.
   */
  shardCountCacheMs?: number;
}

function fromStockItem(item: Record<string, unknown>): StockShard {
  return {
    sku: String(item.sku),
    shard: Number(item.shard ?? 0),
    available: Number(item.available),
    reserved: Number(item.reserved),
    warehouses: (item.warehouses ?? {}) as StockShard['warehouses'],
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

/** A transaction item applying the move; its condition fails instead of letting a counter go negative. */
export function stockMoveItem(tableName: string, move: StockMove): TransactItem {
  return { Update: { TableName: tableName, Key: stockKey(move.sku, move.shard), ...moveExpression(move) } };
}

/**
 * Units back on hand at a warehouse (a return's sellable units), in shard 0, which every SKU
 * has: on-hand, free and available all grow by the units, so the shard's invariant holds. The
 * condition refuses a SKU not stocked at that warehouse rather than invent a count.
 */
export function restockItem(tableName: string, { sku, warehouseId, quantity }: { sku: string; warehouseId: string; quantity: number }): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: stockKey(sku, 0),
      UpdateExpression: 'SET #available = #available + :q, #warehouses.#w.#onHand = #warehouses.#w.#onHand + :q, #warehouses.#w.#free = #warehouses.#w.#free + :q',
      ConditionExpression: 'attribute_exists(#warehouses.#w.#onHand)',
      ExpressionAttributeNames: { '#available': 'available', '#warehouses': 'warehouses', '#w': warehouseId, '#onHand': 'onHand', '#free': 'free' },
      ExpressionAttributeValues: { ':q': quantity },
    },
  };
}

export class StockStore implements StockRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly shardCountCacheMs: number;
  private readonly shardCountCache = new Map<string, { shardCount: number; readAt: number }>();

  constructor(client: DynamoDBDocumentClient, tableName: string, options: StockStoreOptions = {}) {
    this.client = client;
    this.tableName = tableName;
    this.shardCountCacheMs = options.shardCountCacheMs ?? 60_000;
  }

  async get(sku: string): Promise<SkuStock | undefined> {
    return (await this.getMany([sku])).get(sku);
  }

  /**
   * Every active shard of each SKU; SKUs without stock are left out. Reads are
   * strongly consistent unless `consistentRead` is false: at half the read units,
   * for callers whose writes are guarded by conditions anyway (a stale snapshot
   * then costs a retry, never a wrong count). `atLeast` reads shards up to that
   * count even when shard 0 says fewer (a stale read, or shards an order holds).
   */
  async getMany(
    skus: readonly string[],
    options: { consistentRead?: boolean; atLeast?: ReadonlyMap<string, number> } = {},
  ): Promise<Map<string, SkuStock>> {
    return this.read(skus, options.atLeast ?? new Map(), options.consistentRead ?? true);
  }

  /** Shard counts, from the cache while fresh, otherwise read from each SKU's shard 0 (1 when it has no stock). */
  async shardCounts(skus: readonly string[]): Promise<Map<string, number>> {
    const now = Date.now();
    const stale = skus.filter((sku) => {
      const cached = this.shardCountCache.get(sku);
      return !cached || now - cached.readAt > this.shardCountCacheMs;
    });
    if (stale.length > 0) {
      const items = await batchGetAll(this.client, this.tableName, stale.map((sku) => stockKey(sku)), false);
      for (const item of items) this.remember(String(item.sku), Number(item.shardCount ?? 1));
    }
    return new Map(skus.map((sku) => [sku, this.shardCountCache.get(sku)?.shardCount ?? 1]));
  }

  /**
   * Writes an on-hand change (new on-hand counts, free and available moved by deltas, so a
   * reservation made meanwhile is kept) in one transaction over the shards, guarded on the
   * on-hand values and the revision it was computed from. False when the stock changed meanwhile.
   */
  async commitOnHand(change: OnHandChange, revision: number): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({ TransactItems: change.shards.map((shard) => this.shardChangeItem(change, shard, revision)) }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (isRetryableConflict(reasons)) throw new TransientError(`Stock for ${change.sku} conflicted with a concurrent write`);
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
    this.remember(change.sku, change.shardCount);
    return true;
  }

  /** Reads shard 0 of each SKU, then its other shards up to max(its shard count, `atLeast`). */
  private async read(skus: readonly string[], atLeast: ReadonlyMap<string, number>, consistentRead: boolean): Promise<Map<string, SkuStock>> {
    if (skus.length === 0) return new Map();
    const firsts = (await batchGetAll(this.client, this.tableName, skus.map((sku) => stockKey(sku)), consistentRead)).map((item) => ({
      shard: fromStockItem(item),
      shardCount: Number(item.shardCount ?? 1),
      revision: Number(item.revision ?? 0),
    }));
    const rest = firsts.flatMap(({ shard, shardCount }) => {
      const slots = Math.max(shardCount, atLeast.get(shard.sku) ?? 0);
      return Array.from({ length: Math.max(0, slots - 1) }, (_, i) => stockKey(shard.sku, i + 1));
    });
    const others = rest.length > 0 ? (await batchGetAll(this.client, this.tableName, rest, consistentRead)).map(fromStockItem) : [];
    const result = new Map<string, SkuStock>();
    for (const { shard, shardCount, revision } of firsts) {
      this.remember(shard.sku, shardCount);
      const shards = [shard, ...others.filter((other) => other.sku === shard.sku)].sort((a, b) => a.shard - b.shard);
      result.set(shard.sku, { sku: shard.sku, shardCount, revision, shards });
    }
    return result;
  }

  private remember(sku: string, shardCount: number): void {
    this.shardCountCache.set(sku, { shardCount, readAt: Date.now() });
  }

  private shardChangeItem(change: OnHandChange, shard: ShardChange, revision: number): TransactItem {
    const key = stockKey(change.sku, shard.shard);
    if (!shard.exists) {
      return {
        Put: {
          TableName: this.tableName,
          Item: {
            ...key,
            entityType: ENTITY.stock,
            sku: change.sku,
            shard: shard.shard,
            ...(shard.shard === 0 ? { shardCount: change.shardCount, revision: revision + 1 } : {}),
            available: shard.move.available,
            reserved: 0,
            warehouses: Object.fromEntries(Object.entries(shard.newOnHand).map(([id, onHand]) => [id, { onHand, free: onHand }])),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    }
    const expression = onHandExpression(shard);
    if (shard.shard === 0) {
      // Every change writes shard 0 and moves its revision on, so two operators changing counts
      // at once cannot both win, even when their changes touch different shards.
      expression.ExpressionAttributeNames['#shardCount'] = 'shardCount';
      expression.ExpressionAttributeNames['#revision'] = 'revision';
      expression.ExpressionAttributeValues[':shardCount'] = change.shardCount;
      expression.ExpressionAttributeValues[':revision'] = revision;
      expression.ExpressionAttributeValues[':nextRevision'] = revision + 1;
      expression.ExpressionAttributeValues[':zero'] = 0;
      const counters = '#shardCount = :shardCount, #revision = :nextRevision';
      expression.UpdateExpression = expression.UpdateExpression === 'SET ' ? `SET ${counters}` : `${expression.UpdateExpression}, ${counters}`;
      expression.ConditionExpression = [
        expression.ConditionExpression,
        '(#revision = :revision OR (attribute_not_exists(#revision) AND :revision = :zero))',
      ]
        .filter(Boolean)
        .join(' AND ');
    }
    return { Update: { TableName: this.tableName, Key: key, ...expression } };
  }
}

function onHandExpression(change: ShardChange) {
  // Warehouses new to the shard are written whole below; a delta on their `free` would overlap that path.
  const existingFree = Object.fromEntries(
    Object.entries(change.move.free).filter(([warehouseId]) => change.expectedOnHand[warehouseId] !== undefined),
  );
  const { UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = moveExpression({
    ...change.move,
    free: existingFree,
  });
  // DynamoDB rejects unused attribute names, so each is added where it is used.
  const names: Record<string, string> = { ...ExpressionAttributeNames };
  if (Object.keys(change.newOnHand).length > 0) names['#warehouses'] = 'warehouses';
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
