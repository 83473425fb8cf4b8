/**
 * Returns in the orders table, each beside its order (`ORDER#<orderId>` / `RETURN#<returnId>`),
 * with the order's ledger of returned units (`RETURNS`) and a key from the return id to its order.
 * Every return write is guarded on the status and version it was decided from; the table's stream
 * turns each new version into an event, as for orders.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConflict, TransientError } from '../domain/errors.ts';
import type { Return, ReturnLedger } from '../domain/returns.ts';
import { emptyLedger } from '../domain/returns.ts';
import type { NewReturn, ReturnChange, ReturnCommitOutcome, ReturnRepository } from '../use-cases/ports.ts';
import { cancellationReasons, isRetryableConflict, transactParts, type TransactItem } from './dynamodb.ts';
import { ENTITY, RETURN_SORT_PREFIX, returnIdKey, returnIdempotencyKey, returnKey, returnLedgerKey } from './keys.ts';
import { restockItem } from './stock-store.ts';
import { carrierEventItem, trackingItem } from './tracking-store.ts';

const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;
const ITEM_ONLY_ATTRIBUTES = ['pk', 'sk', 'entityType'] as const;

export function toReturnItem(ret: Return): Record<string, unknown> {
  return { ...returnKey(ret.orderId, ret.returnId), entityType: ENTITY.return, ...ret };
}

/** The return in a stored item, read from the table or from a stream record's new image. */
export function fromReturnItem(item: Record<string, unknown>): Return {
  const ret: Record<string, unknown> = { ...item };
  for (const attribute of ITEM_ONLY_ATTRIBUTES) delete ret[attribute];
  return ret as unknown as Return;
}

function returnGuard(before: Return) {
  return {
    ConditionExpression: '#status = :status AND #version = :version',
    ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
    ExpressionAttributeValues: { ':status': before.status, ':version': before.version },
  };
}

/** The ledger written over the revision read (0: none may exist yet). */
function ledgerItem(tableName: string, { before, after }: { before: ReturnLedger; after: ReturnLedger }): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...returnLedgerKey(after.orderId), entityType: ENTITY.returnLedger, returned: after.returned, revision: before.revision + 1 },
      ...(before.revision === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#revision = :revision', ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':revision': before.revision } }),
    },
  };
}

type Part = 'return' | 'ledger' | 'restock' | 'tracking' | 'carrierEvent' | 'idempotency' | 'returnId';

export class ReturnStore implements ReturnRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async get(returnId: string): Promise<Return | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: returnIdKey(returnId), ConsistentRead: true }));
    return Item ? this.getOfOrder(String(Item.orderId), returnId) : undefined;
  }

  async getOfOrder(orderId: string, returnId: string): Promise<Return | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: returnKey(orderId, returnId), ConsistentRead: true }));
    return Item ? fromReturnItem(Item) : undefined;
  }

  /** The order's returns, oldest first (return ids are ULIDs). An order has a handful: one page is all of them. */
  async listOfOrder(orderId: string): Promise<Return[]> {
    const { pk } = returnKey(orderId, '');
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': pk, ':sk': RETURN_SORT_PREFIX },
        ConsistentRead: true,
      }),
    );
    return Items.map(fromReturnItem);
  }

  async ledger(orderId: string): Promise<ReturnLedger> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: returnLedgerKey(orderId), ConsistentRead: true }));
    return Item ? { orderId, returned: (Item.returned ?? {}) as Record<string, number>, revision: Number(Item.revision) } : emptyLedger(orderId);
  }

  async findByIdempotencyKey(channel: string, orderId: string, key: string): Promise<{ returnId: string; requestHash: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: returnIdempotencyKey(channel, orderId, key), ConsistentRead: true }),
    );
    return Item ? { returnId: String(Item.returnId), requestHash: String(Item.requestHash) } : undefined;
  }

  async create({ created, ledger, idempotency }: NewReturn, nowMs = Date.now()): Promise<{ created: true; return: Return } | { created: false; return: Return } | 'LedgerChanged'> {
    const items: Array<{ part: Part; item: TransactItem }> = [
      { part: 'return', item: { Put: { TableName: this.tableName, Item: toReturnItem(created), ConditionExpression: 'attribute_not_exists(pk)' } } },
      {
        part: 'returnId',
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...returnIdKey(created.returnId), entityType: ENTITY.returnIdKey, orderId: created.orderId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      { part: 'ledger', item: ledgerItem(this.tableName, ledger) },
      ...(idempotency
        ? [
            {
              part: 'idempotency' as const,
              item: {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...returnIdempotencyKey(idempotency.channel, created.orderId, idempotency.key),
                    entityType: ENTITY.idempotencyKey,
                    returnId: created.returnId,
                    requestHash: idempotency.requestHash,
                    expiresAt: Math.floor(nowMs / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                },
              },
            },
          ]
        : []),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
      return { created: true, return: created };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const earlier = idempotency ? reasons[3]?.Item : undefined;
      if (earlier) {
        if (earlier.requestHash !== idempotency!.requestHash) throw new IdempotencyConflict(created.orderId);
        const found = await this.getOfOrder(created.orderId, String(earlier.returnId));
        if (!found) throw new TransientError('The return this key names is not readable yet');
        return { created: false, return: found };
      }
      if (isRetryableConflict(reasons)) throw new TransientError('Concurrent write on the same order\'s returns');
      if (reasons[2]?.Code === 'ConditionalCheckFailed') return 'LedgerChanged';
      throw error;
    }
  }

  async commit(change: ReturnChange): Promise<ReturnCommitOutcome> {
    const items: Array<{ part: Part; item: TransactItem }> = [
      { part: 'return', item: { Put: { TableName: this.tableName, Item: toReturnItem(change.after), ...returnGuard(change.before) } } },
      ...(change.ledger ? [{ part: 'ledger' as const, item: ledgerItem(this.tableName, change.ledger) }] : []),
      ...(change.restock ?? []).map((restock) => ({ part: 'restock' as const, item: restockItem(this.tableName, restock) })),
      ...(change.tracking
        ? [{ part: 'tracking' as const, item: trackingItem(this.tableName, change.tracking.carrierId, change.tracking.trackingNumber, change.tracking.parcel) }]
        : []),
      ...(change.carrierEvent ? [{ part: 'carrierEvent' as const, item: carrierEventItem(this.tableName, change.carrierEvent) }] : []),
    ];
    const refused = await transactParts(this.client, items);
    if (!refused) return { ok: true };
    const { failed } = refused;
    if (failed.has('return') || failed.has('ledger')) return { ok: false, reason: 'ReturnChanged' };
    if (failed.has('carrierEvent')) return { ok: false, reason: 'Duplicate' };
    if (failed.has('restock')) return { ok: false, reason: 'NotStocked' };
    throw refused.error;
  }
}
