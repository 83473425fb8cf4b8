import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_DEADLINES, type DeadlineSettings } from '../functions/domain/deadlines.ts';
import { RECONCILER_METRICS } from '../functions/reconciler/metrics.ts';
import { acknowledgeNagFinding } from './nag.ts';
import type { OrderStore } from './order-store.ts';
import { METRICS_NAMESPACE, PipelineFunction } from './pipeline-function.ts';

/** The reconciler runs this often: a stranded order moves on within its deadline plus one period. */
export const RECONCILER_PERIOD = Duration.minutes(1);

/** Properties of an {@link OrderReconciler}. */
export interface OrderReconcilerProps {
  readonly stage: string;
  readonly store: OrderStore;
  /** The fulfilment workflow it re-drives stranded orders through. */
  readonly stateMachine: IStateMachine;
  /**
   * Seconds an order may stay in each in-flight status, and re-drives before giving up.
   * @default DEFAULT_DEADLINES (PLACED 120 s, STOCK_LOCKED and ROUTED 300 s, 3 re-drives)
   */
  readonly deadlines?: DeadlineSettings;
}

/** The deadlines as the functions read them (functions/reconciler/deadline-settings.ts). */
export function deadlineEnvironment(deadlines: DeadlineSettings): Record<string, string> {
  return {
    ORDER_DEADLINE_SECONDS: Object.entries(deadlines.seconds)
      .map(([status, seconds]) => `${status}=${seconds}`)
      .join(','),
    MAX_REDRIVES: String(deadlines.maxRedrives),
  };
}

/**
 * Self-healing fulfilment: every minute, an EventBridge Scheduler schedule invokes a function that
 * finds orders past their deadline in flight (the sparse `byInFlightSince` index), re-drives each
 * through the workflow, and gives up on one after the last re-drive allowed so the workflow
 * compensates it and closes it as FAILED (docs/decisions/0002-self-healing-fulfilment.md).
 */
export class OrderReconciler extends Construct {
  public readonly function: PipelineFunction;
  public readonly schedule: Schedule;
  /** Most seconds any order was past its deadline, per run. */
  public readonly metricMaxOverdueSeconds: Metric;
  /** Re-drives of orders that had been re-driven before. */
  public readonly metricRedrivenAgain: Metric;

  constructor(scope: Construct, id: string, props: OrderReconcilerProps) {
    super(scope, id);
    const deadlines = props.deadlines ?? DEFAULT_DEADLINES;

    this.function = new PipelineFunction(this, 'Reconcile', {
      entry: 'reconciler/reconcile-overdue-orders',
      serviceName: 'order-reconciler',
      stage: props.stage,
      // Well under the period, so runs do not pile up behind a slow one.
      timeout: Duration.seconds(50),
      environment: {
        ORDERS_TABLE_NAME: props.store.table.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ...deadlineEnvironment(deadlines),
      },
    });
    props.store.grantOrderItemsReadWrite(this.function);
    // A payment timeout cancels the order and gives back the stock it locked while waiting, in one transaction.
    props.store.grantReadWriteItems(this.function, ['order', 'stock', 'capacity']);
    props.store.grantQueryIndexes(this.function, ['byInFlightSince']);
    props.stateMachine.grantStartExecution(this.function);

    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Re-drives orders stranded in flight',
      schedule: ScheduleExpression.rate(RECONCILER_PERIOD),
      // A missed run is made up by the next one a minute later: no retries, no dead letters.
      target: new LambdaInvoke(this.function, { role: scheduleRole, retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
    acknowledgeNagFinding(
      scheduleRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction)}.Arn>:*]`,
      'Added by the scheduler target (grantInvoke): the reconciler function and its versions/aliases (`:*`), one function only; the schedule invokes the unqualified ARN.',
    );

    const metric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'order-reconciler', stage: props.stage },
        period: Duration.minutes(5),
        statistic,
      });
    this.metricMaxOverdueSeconds = metric(RECONCILER_METRICS.maxOverdueSeconds, 'Maximum');
    this.metricRedrivenAgain = metric(RECONCILER_METRICS.repeated, 'Sum');
  }
}
