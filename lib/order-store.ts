import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DATA_KEY_CONTEXT } from '../functions/crypto/encryption-sdk-cipher.ts';
import { ORDER_INDEXES, PARTITIONS, type OrderIndexName, type Partition } from '../functions/store/keys.ts';

export type { OrderIndexName, Partition };

/**
 * Every item a request names must lie in one of `partitions` (its partition key begins with
 * their prefix), each transaction item and batch key included. No Scan is granted, which
 * names no key and would pass a ForAllValues condition.
 */
export function leadingKeys(partitions: readonly Partition[]) {
  if (partitions.length === 0) throw new Error('A table grant names the partitions it may touch');
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions.map((partition) => `${PARTITIONS[partition]}*`) } };
}

/** Item-level reads. No Scan: at peak a Scan of this table is a bug, not a query plan. */
const READ_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
/** Item-level writes; transactions are authorised per contained action, so these cover TransactWriteItems too. */
const WRITE_ITEM_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Properties of an {@link OrderStore}. */
export interface OrderStoreProps {
  /** Keep the table when it leaves the stack or the stack is deleted, and turn its deletion protection on. */
  readonly retainData: boolean;
}

/**
 * The single table holding orders, stock and reservations: the pipeline's source of truth.
 *
 * Its stream (new and old images) is the transactional outbox events are derived from, so a write
 * is never published twice or lost. Indexes project keys only: list handlers BatchGet the page, so
 * a status change rewrites one narrow index entry instead of a copy of the whole order.
 *
 * Encrypted with the AWS managed key (`aws/dynamodb`): KMS-backed and audited in CloudTrail, with no
 * key policy to keep in step with every reader. A customer managed key would add a grant per
 * function and the stream consumer, and is only worth it for cross-account access or key-level
 * revocation, which this pipeline does not need yet.
 *
 * Grants are item-level and name each index: no `/index/*` wildcard, and readers that do not list
 * orders cannot query indexes at all.
 */
export class OrderStore extends Construct {
  /** The orders table (partition key `pk`, sort key `sk`). */
  public readonly table: Table;
  /**
   * The key personal values are sealed under, field by field, before they reach the table
   * (docs/decisions/0003-personal-data-encryption.md); rotated yearly by KMS.
   */
  public readonly personalDataKey: Key;

  constructor(scope: Construct, id: string, props: OrderStoreProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: props.retainData,
      // Set here as well as by the stack, so that the construct is right in any stack.
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.personalDataKey = new Key(this, 'PersonalDataKey', {
      description: 'Seals personal fields of orders (field-level envelope encryption)',
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });

    for (const [indexName, keys] of Object.entries(ORDER_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
        sortKey: { name: keys.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
  }

  /** Allows reading items of the table (not its indexes) in the named partitions only. */
  grantReadItems(grantee: IGrantable, partitions: readonly Partition[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: READ_ITEM_ACTIONS,
      resourceArns: [this.table.tableArn],
      conditions: leadingKeys(partitions),
    });
  }

  /** Allows reading and writing items of the table (not its indexes) in the named partitions only. */
  grantReadWriteItems(grantee: IGrantable, partitions: readonly Partition[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...READ_ITEM_ACTIONS, ...WRITE_ITEM_ACTIONS],
      resourceArns: [this.table.tableArn],
      conditions: leadingKeys(partitions),
    });
  }

  /**
   * Allows reading and putting order items only (`ORDER#<id>` partitions: the order, its
   * personal data and its reservation), not stock, keys or policies. An order is read with a
   * Query of its partition (the order item and its personal data item).
   */
  grantOrderItemsReadWrite(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn],
      conditions: leadingKeys(['order']),
    });
  }

  /** Lets `fn` seal personal values: new data keys under the personal-data key, for that purpose only. */
  grantSealPersonalData(fn: LambdaFunction): Grant {
    return this.grantPersonalDataKey(fn, ['kms:GenerateDataKey']);
  }

  /** Lets `fn` open personal values: only functions that hand them to someone entitled. */
  grantOpenPersonalData(fn: LambdaFunction): Grant {
    return this.grantPersonalDataKey(fn, ['kms:Decrypt']);
  }

  private grantPersonalDataKey(fn: LambdaFunction, actions: string[]): Grant {
    fn.addEnvironment('PERSONAL_DATA_KEY_ARN', this.personalDataKey.keyArn);
    return Grant.addToPrincipal({
      grantee: fn,
      actions,
      resourceArns: [this.personalDataKey.keyArn],
      conditions: {
        StringEquals: Object.fromEntries(
          Object.entries(DATA_KEY_CONTEXT).map(([name, value]) => [`kms:EncryptionContext:${name}`, value]),
        ),
      },
    });
  }

  /** Allows querying the named indexes (all of them by default). */
  grantQueryIndexes(grantee: IGrantable, indexNames: OrderIndexName[] = Object.keys(ORDER_INDEXES) as OrderIndexName[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: indexNames.map((name) => `${this.table.tableArn}/index/${name}`),
    });
  }
}
