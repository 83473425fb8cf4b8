import { Duration } from 'aws-cdk-lib';
import type { IApiDestination } from 'aws-cdk-lib/aws-events';
import { Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SEALED_PATHS, type PersonalDataField } from '../functions/domain/personal-data.ts';
import { personalDataAttributesFor } from '../functions/store/order-item.ts';
import { leadingKeys, type OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** Properties of a {@link PartnerEnrichment}. */
export interface PartnerEnrichmentProps {
  readonly stage: string;
  readonly partnerName: string;
  /** Personal data the partner is entitled to; the function reads these from the order and nothing else. */
  readonly personalData: readonly PersonalDataField[];
  readonly store: OrderStore;
  /** Where enriched events go. */
  readonly destination: IApiDestination;
  /** Attempts to deliver one event before it moves to `deadLetterQueue` (the first included). */
  readonly maxReceiveCount: number;
  /** How long an event waits for delivery at most (the queue's retention). */
  readonly maximumEventAge: Duration;
  /** The partner's dead-letter queue. */
  readonly deadLetterQueue: IQueue;
}

/**
 * Adds the personal data a partner is entitled to, outside the bus: the partner's rule puts the
 * event (no personal data) in this queue, and an EventBridge Pipe reads it, has the enrichment
 * function add the entitled fields from the order, and calls the partner's API destination.
 *
 * So the bus, its archive and every other rule never see personal data, and only this partner's
 * function can read it: an input transformer cannot add data, and putting enriched events back on
 * a bus would expose them to that bus's rules and archive.
 *
 * The pipe deletes a message once the destination accepted it; a failed call makes it visible
 * again after the visibility timeout, and after `maxReceiveCount` receipts SQS moves it to the
 * partner's dead-letter queue: the same retry count and DLQ as a direct rule target.
 */
export class PartnerEnrichment extends Construct {
  /** Events waiting for enrichment and delivery. */
  public readonly queue: Queue;
  /** Reads the entitled fields from the order. */
  public readonly function: PipelineFunction;
  public readonly pipe: CfnPipe;

  constructor(scope: Construct, id: string, props: PartnerEnrichmentProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // An event older than the retry policy allows is dropped here, as EventBridge would drop it.
      retentionPeriod: props.maximumEventAge,
      // Enrichment (one Query) plus the partner's call; API destinations time out after 5 s.
      visibilityTimeout: Duration.seconds(30),
      deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    const opensPersonalData = props.personalData.some((field) => (SEALED_PATHS as readonly string[]).includes(field));
    this.function = new PipelineFunction(this, 'Enrich', {
      entry: 'partners/enrich-partner-event',
      serviceName: 'partner-enrichment',
      stage: props.stage,
      environment: {
        ORDERS_TABLE_NAME: props.store.table.tableName,
        PERSONAL_DATA_FIELDS: props.personalData.join(','),
      },
      // The key's ARN comes with the grant below, for a partner entitled to a sealed field.
      ...(opensPersonalData ? { adapterVariablesSetLater: ['PERSONAL_DATA_KEY_ARN'] as const } : {}),
    });
    // One order's partition read (its order and personal data items), the entitled attributes only: no BatchGetItem, no write.
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['dynamodb:Query'],
      resourceArns: [props.store.table.tableArn],
      conditions: {
        ...leadingKeys(['order']),
        // The key attributes too: a request names them in its Key.
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': personalDataAttributesFor(props.personalData) },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });
    if (opensPersonalData) {
      props.store.grantOpenPersonalData(this.function);
    }

    const role = new Role(this, 'PipeRole', {
      assumedBy: new ServicePrincipal('pipes.amazonaws.com'),
      description: `Pipe delivering enriched order events to partner ${props.partnerName}`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [this.queue.queueArn],
      }),
    );
    // Unqualified ARN: the pipe calls the function itself, not a version or alias (no `:*` grant).
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['events:InvokeApiDestination'], resources: [props.destination.apiDestinationArn] }),
    );

    this.pipe = new CfnPipe(this, 'Pipe', {
      description: `Order events to partner ${props.partnerName}, with the personal data it is entitled to`,
      roleArn: role.roleArn,
      source: this.queue.queueArn,
      // One event per enrichment and call: a failure retries and dead-letters that event alone.
      sourceParameters: { sqsQueueParameters: { batchSize: 1 } },
      enrichment: this.function.functionArn,
      target: props.destination.apiDestinationArn,
    });
    this.pipe.node.addDependency(role);
  }
}
