import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** An order this far past its deadline has outlived the reconciler's re-drives: a person must look. */
const STRANDED_ALARM_SECONDS = 15 * 60;

/** Properties of {@link OperationsAlarms}. */
export interface OperationsAlarmsProps {
  /** Dead-letter queues by a short name (used in alarm ids and descriptions). */
  readonly deadLetterQueues: Record<string, IQueue>;
  /** Workflow whose failed and timed-out executions need an operator. */
  readonly stateMachine: IStateMachine;
  /** What the reconciler reports about stranded orders (lib/order-reconciler.ts). */
  readonly reconciler?: { readonly maxOverdueSeconds: IMetric; readonly redrivenAgain: IMetric };
  /**
   * Where alarms notify.
   * @default - a new topic encrypted with a new customer managed key
   */
  readonly alarmTopic?: ITopic;
}

/**
 * Alarms for what needs an operator: anything in a dead-letter queue, and fulfilment executions
 * that failed or timed out (a business rejection ends the execution successfully, so these are
 * technical failures, including failed compensation).
 *
 * Each alarm fires on the first occurrence within a minute: one lost order is already an incident.
 */
export class OperationsAlarms extends Construct {
  /** Topic every alarm notifies. */
  public readonly alarmTopic: ITopic;
  /** Alarms by name: `<queue name>Messages`, `WorkflowExecutionsFailed`, `WorkflowExecutionsTimedOut`. */
  public readonly alarms: Readonly<Record<string, Alarm>>;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    const action = new SnsAction(this.alarmTopic);

    const alarms: Record<string, Alarm> = {};
    const addAlarm = (name: string, metric: IMetric, description: string, threshold = 1): void => {
      const alarm = new Alarm(this, name, {
        metric,
        alarmDescription: description,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
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
