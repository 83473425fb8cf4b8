/**
 * Versioned policy documents (routing policy) in the orders table: every version is
 * kept for audit, and a CURRENT item holds the live one, so reading it is one GetItem.
 * Replacing it is one transaction guarded on the version it replaces, so two operators
 * saving at once cannot silently overwrite each other.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PolicyRepository, StoredPolicy } from '../use-cases/ports.ts';
import { TransientError } from '../domain/errors.ts';
import { cancellationReasons, isRetryableConflict } from './dynamodb.ts';
import { PolicyVersionConflict } from '../domain/errors.ts';
import { ENTITY, POLICY_VERSION_PREFIX, policyCurrentKey, policyVersionKey } from './keys.ts';


export class PolicyStore implements PolicyRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly name: string;

  constructor(client: DynamoDBDocumentClient, tableName: string, name: string) {
    this.client = client;
    this.tableName = tableName;
    this.name = name;
  }

  async current<Document>(): Promise<StoredPolicy<Document> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: policyCurrentKey(this.name), ConsistentRead: true }),
    );
    return Item ? storedPolicyOf<Document>(Item) : undefined;
  }

  async version<Document>(version: number): Promise<StoredPolicy<Document> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: policyVersionKey(this.name, version) }));
    return Item ? storedPolicyOf<Document>(Item) : undefined;
  }

  async versions(limit: number): Promise<Array<Omit<StoredPolicy<unknown>, 'document'>>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': policyCurrentKey(this.name).pk, ':prefix': POLICY_VERSION_PREFIX },
        // Listing is for people choosing a version: the documents are read one at a time, when chosen.
        ProjectionExpression: '#version, updatedAt, restoredFrom',
        ExpressionAttributeNames: { '#version': 'version' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const { document: _none, ...summary } = storedPolicyOf({ ...item, document: undefined });
      return summary;
    });
  }

  /**
   * Saves `document` as the next version. `basedOn` is the version the caller read
   * (undefined: there was none); a mismatch means someone else saved first.
   */
  async save<Document>(
    document: Document,
    basedOn: number | undefined,
    now: string,
    options: { restoredFrom?: number } = {},
  ): Promise<StoredPolicy<Document>> {
    const version = (basedOn ?? 0) + 1;
    const stored = { version, updatedAt: now, document, ...(options.restoredFrom !== undefined ? { restoredFrom: options.restoredFrom } : {}) };
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...policyVersionKey(this.name, version), entityType: ENTITY.policy, ...stored },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...policyCurrentKey(this.name), entityType: ENTITY.policy, ...stored },
          ...(basedOn === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :basedOn',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':basedOn': basedOn },
              }),
        },
      },
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (isRetryableConflict(reasons)) throw new TransientError('Policy save conflicted with a concurrent write');
      throw new PolicyVersionConflict(`The ${this.name} policy changed since version ${basedOn ?? 0}; read it again`);
    }
    return stored;
  }
}

function storedPolicyOf<Document>(item: Record<string, unknown>): StoredPolicy<Document> {
  return {
    version: Number(item.version),
    updatedAt: String(item.updatedAt),
    document: item.document as Document,
    ...(item.restoredFrom !== undefined ? { restoredFrom: Number(item.restoredFrom) } : {}),
  };
}
