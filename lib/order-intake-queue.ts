import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INTAKE_QUEUE_URL_VARIABLE } from '../functions/intake/sqs-order-queue.ts';
import { ROUTES } from '../functions/http/routes.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** Properties of an {@link OrderIntakeQueue}. */
export interface OrderIntakeQueueProps {
  readonly stage: string;
  readonly store: OrderStore;
  /** The `POST /orders` function, which queues new orders once this exists. */
  readonly placeOrder: PipelineFunction;
  /**
   * How many batches of 10 land at once: the event source mapping's maximum concurrency, which caps the
   * drainer's writes below the table's and the account's Lambda concurrency however deep the queue gets.
   * @default 50
   */
  readonly drainConcurrency?: number;
}

/** Receives a queued order this many times before it is kept in the dead-letter queue: a permanent refusal costs five tries. */
const MAX_RECEIVES = 5;

/**
 * The storage-first intake for bursts beyond the table's or Lambda's quotas (docs/capacity.md): `POST /orders`
 * validates and seals an order, queues it on SQS and answers 202; the drainer lands it with the same transaction
 * and keys as the direct path, so the same `(channel, channelOrderId)` never makes two orders whichever way it came.
 * SQS standard queues take any rate, so a flash sale's peak waits in the queue instead of being throttled.
 */
export class OrderIntakeQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: DeadLetterQueue;
  public readonly drainer: PipelineFunction;

  constructor(scope: Construct, id: string, props: OrderIntakeQueueProps) {
    super(scope, id);
    const placeOrderRoute = ROUTES.find((route) => route.id === 'PlaceOrder');
    if (!placeOrderRoute?.access) throw new Error('The route table has no PlaceOrder route with table access');

    this.drainer = new PipelineFunction(this, 'Drainer', {
      entry: 'intake/drain-order-queue',
      serviceName: 'order-intake',
      stage: props.stage,
      environment: { ORDERS_TABLE_NAME: props.store.table.tableName },
      timeout: Duration.seconds(30),
    });
    // The same items as the direct path writes; no key grant: the queued orders are sealed already.
    props.store.grantReadWriteItems(this.drainer, placeOrderRoute.access.partitions);

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      deadLetterSourceDescription: `queued orders the drainer could not land in ${MAX_RECEIVES} tries`,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance for SQS sources: at least six times the function's timeout, so a batch in retry is not received twice.
      visibilityTimeout: Duration.seconds(6 * 30),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });
    this.drainer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, maxConcurrency: props.drainConcurrency ?? 50, reportBatchItemFailures: true }),
    );

    this.queue.grantSendMessages(props.placeOrder);
    props.placeOrder.addEnvironment(INTAKE_QUEUE_URL_VARIABLE, this.queue.queueUrl);
  }
}
