import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, MathExpression, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Metrics one alarm's metric math may use (CloudWatch's limit for alarms). */
const FUNCTIONS_PER_ALARM = 10;

/** An order this far past its deadline has outlived the reconciler's re-drives: a person must look. */
const STRANDED_ALARM_SECONDS = 15 * 60;

/**
 * Thresholds of the alarms on rates and latencies, each with why. "Sustained" alarms need two breaching minutes
 * out of three (or periods out of the window given), so that one bad minute after a deploy or a retried burst
 * does not page anyone, and a real problem still pages within three minutes.
 */
export const ALARM_THRESHOLDS = {
  /**
   * Percent of API requests answered 5xx. Bad input is 4xx by design, so a 5xx is our bug or a dependency
   * down; 1 % is far above the background of a healthy API (zero) and low enough to catch one broken route
   * among the thirteen.
   */
  apiServerErrorPercent: 1,
  /**
   * Errors of one function in a minute. Workflow steps and the publisher retry, so a few transient errors
   * heal by themselves; five a minute, twice in three minutes, is not transient.
   */
  functionErrorsPerMinute: 5,
  /** Any throttle means reserved concurrency or the account's limit is holding orders back. */
  functionThrottlesPerMinute: 1,
  /**
   * Age of the oldest stream record the publisher has not handled. Events normally leave within a second;
   * a minute means partners and the workflow are a minute behind the table (and the stream keeps records
   * only 24 hours).
   */
  streamIteratorAgeMs: 60_000,
  /**
   * Events EventBridge refused per minute. The stream redelivers them, so a few throttles are harmless;
   * ten a minute, sustained, means the bus quota or an entry error is holding events back.
   */
  refusedEventsPerMinute: 10,
  /** Held back for breaking their schema: a code bug, and the order's stream shard stalls until it is fixed. */
  heldBackEventsPerMinute: 1,
  /**
   * Throttled requests on the orders table per minute. On-demand tables throttle only past twice the previous
   * peak or on a hot partition; the SDK retries a few, fifty a minute sustained means writes are failing.
   */
  tableThrottlesPerMinute: 50,
  /**
   * p95 of placed → shipment requested, in ms. Locally about one second; the workflow's first deadline is
   * 120 s (ADR 0002). Thirty seconds sustained for five minutes means queueing somewhere long before the
   * reconciler would notice.
   */
  placedToShipmentRequestedP95Ms: 30_000,
  /**
   * Percent of placed orders rejected over 15 minutes. Rejections are out of stock or no route: a few percent
   * is business as usual in a sale; a quarter means stock data or the routing policy is wrong.
   */
  rejectedPercent: 25,
} as const;

/** Properties of {@link OperationsAlarms}. */
export interface OperationsAlarmsProps {
  /** Dead-letter queues by a short name (used in alarm ids and descriptions). */
  readonly deadLetterQueues: Record<string, IQueue>;
  /** Workflow whose failed and timed-out executions need an operator. */
  readonly stateMachine: IStateMachine;
  /** What the reconciler reports about stranded orders (lib/order-reconciler.ts). */
  readonly reconciler?: { readonly maxOverdueSeconds: IMetric; readonly redrivenAgain: IMetric };
  /** The HTTP API: alarms on its share of 5xx answers. */
  readonly httpApi?: IHttpApi;
  /** Functions by a readable name: alarms on errors and throttles of each. */
  readonly functions?: Readonly<Record<string, IFunction>>;
  /** The outbox relay's metrics (lib/event-publishing.ts). */
  readonly publisher?: { readonly iteratorAge: IMetric; readonly refusedEvents: IMetric; readonly heldBackEvents: IMetric };
  /** Business metrics per minute (functions/publisher/metrics.ts). */
  readonly orders?: { readonly placed: Metric; readonly rejected: Metric; readonly placedToShipmentRequestedP95: IMetric };
  /** The orders table: alarms on throttled requests. */
  readonly table?: ITable;
  /**
   * Where alarms notify.
   * @default - a new topic encrypted with a new customer managed key
   */
  readonly alarmTopic?: ITopic;
  /**
   * E-mail addresses subscribed to the alarm topic (each must confirm the subscription AWS mails).
   * @default - none
   */
  readonly alarmEmails?: readonly string[];
}

/** How long and how often a metric must breach before its alarm fires. */
interface Breach {
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/** Two breaching periods out of three: see {@link ALARM_THRESHOLDS}. */
const sustained = (threshold: number): Breach => ({ threshold, evaluationPeriods: 3, datapointsToAlarm: 2 });

/**
 * Every alarm of the stack, in one place: what pages a person. Two kinds:
 * - first occurrence within a minute, for what is already an incident once (a message in a dead-letter queue, a
 *   failed or timed-out fulfilment execution, an event held back, a stranded order);
 * - sustained breaches of a rate or latency, with the thresholds and their reasons in {@link ALARM_THRESHOLDS}.
 *
 * A business rejection ends the execution successfully, so failed executions are technical failures,
 * including failed compensation.
 */
export class OperationsAlarms extends Construct {
  /** Topic every alarm notifies. */
  public readonly alarmTopic: ITopic;
  /** Alarms by name: `<queue name>Messages`, `WorkflowExecutionsFailed`, `WorkflowExecutionsTimedOut`. */
  public readonly alarms: Readonly<Record<string, Alarm>>;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    for (const email of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(this.alarmTopic);

    const alarms: Record<string, Alarm> = {};
    const addAlarm = (name: string, metric: IMetric, description: string, breach: Breach | number = 1): void => {
      const { threshold, evaluationPeriods = 1, datapointsToAlarm = 1 } = typeof breach === 'number' ? { threshold: breach } : breach;
      const alarm = new Alarm(this, name, {
        metric,
        alarmDescription: description,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm,
        // No data means nothing arrived, which is the healthy case.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarms[name] = alarm;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      addAlarm(
        `${name}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `Messages in dead-letter queue ${name}: inspect and redrive them.`,
      );
    }
    addAlarm(
      'WorkflowExecutionsFailed',
      props.stateMachine.metricFailed({ period: Duration.minutes(1), statistic: 'Sum' }),
      'Fulfilment executions failed (technical failure or failed compensation): check the execution logs.',
    );
    addAlarm(
      'WorkflowExecutionsTimedOut',
      props.stateMachine.metricTimedOut({ period: Duration.minutes(1), statistic: 'Sum' }),
      'Fulfilment executions timed out, possibly mid-compensation: the order may need an operator.',
    );
    if (props.reconciler) {
      addAlarm(
        'OrdersOverdue15Minutes',
        props.reconciler.maxOverdueSeconds,
        'An order is more than 15 minutes past its deadline in flight: the reconciler cannot move it on (check its logs and the order timeline).',
        STRANDED_ALARM_SECONDS,
      );
      addAlarm(
        'OrdersRedrivenAgain',
        props.reconciler.redrivenAgain,
        'An order was re-driven more than once: its workflow keeps dying in the same place (check the execution logs).',
      );
    }
    if (props.httpApi) {
      const minute = { period: Duration.minutes(1), statistic: 'Sum' };
      addAlarm(
        'ApiServerErrors',
        new MathExpression({
          expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          usingMetrics: { errors: props.httpApi.metricServerError(minute), requests: props.httpApi.metricCount(minute) },
          period: Duration.minutes(1),
          label: 'Percent of requests answered 5xx',
        }),
        'The HTTP API answers 5xx to more than 1 % of requests: check the API functions\' errors and logs.',
        sustained(ALARM_THRESHOLDS.apiServerErrorPercent),
      );
    }
    // One alarm per ten functions and per metric, on the busiest of them (MAX of the ten): an alarm's metric math takes
    // at most ten metrics, and one alarm per function and metric would take 90 of the 500 resources CloudFormation
    // allows a stack. The threshold is still per function; the description names the group, the dashboard the one.
    const byName = Object.entries(props.functions ?? {}).sort(([a], [b]) => a.localeCompare(b));
    for (let start = 0, group = 1; start < byName.length; start += FUNCTIONS_PER_ALARM, group++) {
      const functions = byName.slice(start, start + FUNCTIONS_PER_ALARM);
      const names = functions.map(([name]) => name).join(', ');
      const busiest = (metricOf: (fn: IFunction) => IMetric, what: string) =>
        new MathExpression({
          expression: `MAX([${functions.map((_, i) => `m${i}`).join(',')}])`,
          usingMetrics: Object.fromEntries(functions.map(([, fn], i) => [`m${i}`, metricOf(fn)])),
          label: `${what}, the busiest of ${names}`,
          period: Duration.minutes(1),
        });
      addAlarm(
        `FunctionErrors${group}`,
        busiest((fn) => fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }), 'Errors'),
        `One of ${names} keeps failing: find it on the dashboard's function rows, then check its logs and traces.`,
        sustained(ALARM_THRESHOLDS.functionErrorsPerMinute),
      );
      addAlarm(
        `FunctionThrottles${group}`,
        busiest((fn) => fn.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }), 'Throttles'),
        `One of ${names} is throttled: orders wait for concurrency (reserved concurrency or the account limit).`,
        sustained(ALARM_THRESHOLDS.functionThrottlesPerMinute),
      );
    }
    if (props.publisher) {
      addAlarm(
        'StreamIteratorAge',
        props.publisher.iteratorAge,
        'Order events leave the table more than a minute late: check the publisher\'s errors and throttles.',
        sustained(ALARM_THRESHOLDS.streamIteratorAgeMs),
      );
      addAlarm(
        'OrderEventsRefused',
        props.publisher.refusedEvents,
        'EventBridge keeps refusing order events (PutEvents failures): check the bus quota and the publisher\'s logs.',
        sustained(ALARM_THRESHOLDS.refusedEventsPerMinute),
      );
      addAlarm(
        'OrderEventsHeldBack',
        props.publisher.heldBackEvents,
        'An order event breaks its published schema and is held back: fix the code, then the stream resumes.',
        ALARM_THRESHOLDS.heldBackEventsPerMinute,
      );
    }
    if (props.orders) {
      addAlarm(
        'ShipmentRequestLatency',
        props.orders.placedToShipmentRequestedP95,
        'p95 from placement to shipment request is above 30 s for five minutes: find the slow step on the dashboard.',
        { threshold: ALARM_THRESHOLDS.placedToShipmentRequestedP95Ms, evaluationPeriods: 5, datapointsToAlarm: 5 },
      );
      addAlarm(
        'OrdersRejectedShare',
        new MathExpression({
          expression: 'IF(placed > 0, 100 * rejected / placed, 0)',
          usingMetrics: {
            placed: props.orders.placed.with({ period: Duration.minutes(15) }),
            rejected: props.orders.rejected.with({ period: Duration.minutes(15) }),
          },
          period: Duration.minutes(15),
          label: 'Percent of placed orders rejected',
        }),
        'A quarter of orders are rejected (out of stock or no route): check stock levels and the routing policy.',
        ALARM_THRESHOLDS.rejectedPercent,
      );
    }
    if (props.table) {
      addAlarm(
        'OrdersTableThrottles',
        new MathExpression({
          expression: 'SUM(METRICS())',
          usingMetrics: {
            reads: props.table.metric('ReadThrottleEvents', { period: Duration.minutes(1), statistic: 'Sum' }),
            writes: props.table.metric('WriteThrottleEvents', { period: Duration.minutes(1), statistic: 'Sum' }),
          },
          period: Duration.minutes(1),
          label: 'Throttled reads and writes',
        }),
        'The orders table throttles: a hot partition or a surge past twice the previous peak (see docs/capacity.md).',
        sustained(ALARM_THRESHOLDS.tableThrottlesPerMinute),
      );
    }
    this.alarms = alarms;
  }

  private createTopic(): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the order pipeline alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes alarm notifications itself, so it must be able to encrypt for the topic.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Order pipeline alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy (created for enforceSSL) replaces the default one, so allow CloudWatch explicitly.
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return topic;
  }
}
