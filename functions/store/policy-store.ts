/**
 * Versioned policy documents (routing policy) in the orders table: every version is
 * kept for audit, and a CURRENT item holds the live one, so reading it is one GetItem.
 * Replacing it is one transaction guarded on the version it replaces, so two operators
 * saving at once cannot silently overwrite each other. A version staged for a share of orders
 * (a rollout) rides on the CURRENT item.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PolicyCandidate, PolicyRepository, PolicyVersion, StoredPolicy } from '../use-cases/ports.ts';
import { TransientError } from '../domain/errors.ts';
import { cancellationReasons, isRetryableConflict, queryAll } from './dynamodb.ts';
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
    return this.read<Document>(policyCurrentKey(this.name));
  }

  async version<Document>(version: number): Promise<StoredPolicy<Document> | undefined> {
    return this.read<Document>(policyVersionKey(this.name, version));
  }

  private async read<Document>(key: Record<string, string>): Promise<StoredPolicy<Document> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item
      ? {
          version: Number(Item.version),
          updatedAt: String(Item.updatedAt),
          document: Item.document as Document,
          ...(Item.activatedFrom === undefined ? {} : { activatedFrom: Number(Item.activatedFrom) }),
          ...(Item.candidate === undefined ? {} : { candidate: Item.candidate as PolicyCandidate<Document> }),
        }
      : undefined;
  }

  /**
   * The stage is an attribute of the CURRENT item, so the live policy and its candidate are one
   * GetItem for every routing decision, and a save, which replaces the item, ends the stage: a
   * candidate is measured against the live version it was staged beside.
   */
  async stage<Document>(live: number, candidate: PolicyCandidate<Document> | undefined): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: policyCurrentKey(this.name),
          UpdateExpression: candidate ? 'SET #candidate = :candidate' : 'REMOVE #candidate',
          ConditionExpression: '#version = :live',
          ExpressionAttributeNames: { '#candidate': 'candidate', '#version': 'version' },
          ExpressionAttributeValues: { ':live': live, ...(candidate ? { ':candidate': candidate } : {}) },
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new PolicyVersionConflict(`The ${this.name} policy changed since version ${live}; read it again`);
      }
      throw error;
    }
  }

  /** Every saved version, newest first, without their documents. */
  async versions(): Promise<PolicyVersion[]> {
    const versions: PolicyVersion[] = [];
    const items = queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': policyCurrentKey(this.name).pk, ':prefix': POLICY_VERSION_PREFIX },
      ProjectionExpression: '#version, updatedAt, activatedFrom',
      ExpressionAttributeNames: { '#version': 'version' },
      ScanIndexForward: false,
    });
    for await (const item of items) {
      versions.push({
        version: Number(item.version),
        updatedAt: String(item.updatedAt),
        ...(item.activatedFrom === undefined ? {} : { activatedFrom: Number(item.activatedFrom) }),
      });
    }
    return versions;
  }

  /**
   * Saves `document` as the next version. `basedOn` is the version the caller read
   * (undefined: there was none); a mismatch means someone else saved first. `activatedFrom`
   * names the earlier version a rollback copies.
   */
  async save<Document>(document: Document, basedOn: number | undefined, now: string, activatedFrom?: number): Promise<StoredPolicy<Document>> {
    const version = (basedOn ?? 0) + 1;
    const stored = { version, updatedAt: now, document, ...(activatedFrom === undefined ? {} : { activatedFrom }) };
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
