import { Duration, Stack } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { OrderStore } from './order-store.ts';
import {
  ORDER_METRICS,
  type PublisherMetricName,
  REJECTION_REASON_DIMENSION,
} from '../functions/publisher/metrics.ts';
import { METRICS_NAMESPACE, PipelineFunction } from './pipeline-function.ts';

/** `POWERTOOLS_SERVICE_NAME` of the publisher: the `service` dimension of its metrics. */
const PUBLISHER_SERVICE = 'order-events';

/** `source` of every event the pipeline publishes; rules of internal consumers and partners match on it. */
export const ORDER_EVENT_SOURCE = 'order-pipeline';

/** Properties of an {@link EventPublishing}. */
export interface EventPublishingProps {
  readonly stage: string;
  readonly store: OrderStore;
  /**
   * How long the archive keeps events for replay to a new or recovering consumer.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
  /**
   * Concurrent batches per stream shard. Order is kept per partition key (per order), so raising
   * this adds throughput at peak without reordering one order's events.
   * @default 10 (the maximum)
   */
  readonly parallelizationFactor?: number;
}

/**
 * Turns the orders table's change stream into events on the pipeline's bus (transactional outbox):
 * an event exists exactly when a write committed, and is never emitted by the writer itself.
 *
 * Only order and return items reach the publisher (Lambda event filtering): stock and reservation writes are
 * dropped before an invocation is billed.
 */
export class EventPublishing extends Construct {
  /** Bus carrying every order event (`source` {@link ORDER_EVENT_SOURCE}). */
  public readonly eventBus: EventBus;
  /** Archive of every event on the bus, for replay. */
  public readonly archive: Archive;
  /** Publishes order changes from the stream to the bus. */
  public readonly publisher: PipelineFunction;
  /** Stream batches the publisher gave up on (after retries and bisection), for redrive. */
  public readonly publisherDeadLetterQueue: DeadLetterQueue;
  /** Value of `source` on published events. */
  public readonly eventSource = ORDER_EVENT_SOURCE;

  private readonly stage: string;

  constructor(scope: Construct, id: string, props: EventPublishingProps) {
    super(scope, id);
    this.stage = props.stage;
    const table = props.store.table;

    this.eventBus = new EventBus(this, 'Bus', { eventBusName: `order-pipeline-${props.stage}` });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: `Every event of ${this.eventBus.eventBusName}, for replay`,
      // Every event on this bus comes from this account, so this pattern matches all of them.
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(30),
    });

    this.publisher = new PipelineFunction(this, 'Publisher', {
      entry: 'publisher/publish-order-events',
      serviceName: PUBLISHER_SERVICE,
      stage: props.stage,
      environment: {
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        EVENT_SOURCE: ORDER_EVENT_SOURCE,
        ORDERS_TABLE_NAME: table.tableName,
      },
      additionalWildcardReasons: [
        'dynamodb:ListStreams (added by the DynamoDB stream event source) supports only Resource "*"; reading the stream itself is limited to this table\'s stream ARN.',
      ],
    });
    props.store.grantReadItems(this.publisher, ['order']);
    this.eventBus.grantPutEventsTo(this.publisher);

    this.publisherDeadLetterQueue = new DeadLetterQueue(this, 'PublisherDlq', {
      deadLetterSourceDescription: 'the orders-table stream event source of the event publisher',
    });
    this.publisher.addEventSource(
      new DynamoEventSource(table, {
        // TRIM_HORIZON: a publisher deployed (or re-created) after writes still publishes them.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // Latency matters more than batch fill: publish as soon as records arrive.
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        parallelizationFactor: props.parallelizationFactor ?? 10,
        onFailure: new SqsDlq(this.publisherDeadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { NewImage: { entityType: { S: FilterRule.or('Order', 'Return') } } },
          }),
        ],
      }),
    );
  }

  /** A metric the publisher emits (functions/publisher/metrics.ts), per minute. */
  public metric(metricName: PublisherMetricName, statistic: string): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: PUBLISHER_SERVICE, stage: this.stage },
      statistic,
      period: Duration.minutes(1),
    });
  }

  /** Rejections per minute, one line per reason. */
  public metricRejectedByReason(): MathExpression {
    const dimensions = [REJECTION_REASON_DIMENSION, 'service', 'stage'].join(',');
    return new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions}} MetricName="${ORDER_METRICS.rejected}" service="${PUBLISHER_SERVICE}" stage="${this.stage}"', 'Sum', 60)`,
      label: 'Rejected',
      period: Duration.minutes(1),
    });
  }
}
