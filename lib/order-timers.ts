import { Duration, Stack } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_DEADLINES, type DeadlineSettings } from '../functions/domain/deadlines.ts';
import { TIMER_EVENT_TYPES } from '../functions/domain/order-timers.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { acknowledgeNagFinding } from './nag.ts';
import { deadlineEnvironment } from './order-reconciler.ts';
import type { OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';


/** What running a timer writes: the order, and for a payment timeout the stock and capacity it gives back. */
const TIMER_PARTITIONS = ['order', 'stock', 'capacity'] as const;
/** Properties of {@link OrderTimers}. */
export interface OrderTimersProps {
  readonly stage: string;
  readonly store: OrderStore;
  readonly eventBus: IEventBus;
  /** `source` of the order events whose orders may need a timer. */
  readonly orderEventSource: string;
  /** The fulfilment workflow a released order resumes in. */
  readonly stateMachine: IStateMachine;
  /** @default DEFAULT_DEADLINES */
  readonly deadlines?: DeadlineSettings;
}

/**
 * One-time timers of orders on EventBridge Scheduler (docs/decisions/0005-hold-window-and-timers.md): a
 * rule sends the events of orders that may need a timer to a function that creates the schedules (in
 * this stack's schedule group, named from order and kind); each schedule invokes the timer function once,
 * at its time, and is deleted. The reconciler runs any timer whose schedule was lost.
 */
export class OrderTimers extends Construct {
  /** Runs a due timer: the target of every schedule. */
  public readonly fireFunction: PipelineFunction;
  /** Creates an order's schedules from its events. */
  public readonly scheduleFunction: PipelineFunction;
  public readonly scheduleGroupName: string;
  public readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: OrderTimersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const deadlines = deadlineEnvironment(props.deadlines ?? DEFAULT_DEADLINES);
    const releaseEnvironment = { ORDERS_TABLE_NAME: props.store.table.tableName, STATE_MACHINE_ARN: props.stateMachine.stateMachineArn, ...deadlines };

    this.scheduleGroupName = `order-pipeline-${props.stage}-timers`;
    const group = new CfnScheduleGroup(this, 'Group', { name: this.scheduleGroupName });

    this.fireFunction = new PipelineFunction(this, 'Fire', {
      entry: 'timers/fire-order-timer',
      serviceName: 'order-timers',
      stage: props.stage,
      environment: releaseEnvironment,
    });
    // A payment timeout cancels the order and gives its stock back in one transaction, as the reconciler does.
    props.store.grantReadWriteItems(this.fireFunction, TIMER_PARTITIONS);
    props.stateMachine.grantStartExecution(this.fireFunction);

    // Scheduler assumes this role to invoke the timer function, and for nothing else.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          // Scheduler's confused-deputy guidance names the schedule group's ARN as the source ("do not scope it to a
          // schedule or a name prefix"); an earlier version of that page showed the schedules' ARNs, which stays allowed.
          ArnLike: {
            'aws:SourceArn': [
              stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: this.scheduleGroupName }),
              stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroupName}/*` }),
            ],
          },
        },
      }),
      description: 'Assumed by EventBridge Scheduler to invoke the order timer function',
    });
    this.fireFunction.grantInvoke(schedulerRole);
    acknowledgeNagFinding(
      schedulerRole,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.fireFunction.node.defaultChild as CfnFunction)}.Arn>:*]`,
      'Added by grantInvoke: the timer function and its versions/aliases (`:*`), one function only; the schedules invoke the unqualified ARN.',
    );

    this.scheduleFunction = new PipelineFunction(this, 'Schedule', {
      entry: 'timers/schedule-order-timers',
      serviceName: 'order-timers',
      stage: props.stage,
      environment: {
        ...releaseEnvironment,
        ORDER_TIMERS_GROUP: this.scheduleGroupName,
        ORDER_TIMERS_TARGET_ARN: this.fireFunction.functionArn,
        ORDER_TIMERS_ROLE_ARN: schedulerRole.roleArn,
      },
    });
    // A timer already due when its event arrives runs at once, as the timer function would run it.
    props.store.grantReadWriteItems(this.scheduleFunction, TIMER_PARTITIONS);
    props.stateMachine.grantStartExecution(this.scheduleFunction);
    const schedulesOfGroup = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroupName}/*` });
    this.scheduleFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [schedulesOfGroup] }),
    );
    this.scheduleFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgeNagFinding(
      this.scheduleFunction.role!,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.scheduleGroupName}/*]`,
      "Schedules are named per order (`<kind>-<orderId>`), created and deleted at run time: the statement is limited to this stack's schedule group.",
    );
    this.scheduleFunction.node.addDependency(group);

    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      deadLetterSourceDescription: 'the rule target that creates order timers',
    });
    new Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: 'Creates the timers of orders that need one (the end of a hold window)',
      eventPattern: { source: [props.orderEventSource], detailType: [...TIMER_EVENT_TYPES] },
      targets: [new LambdaFunction(this.scheduleFunction, { retryAttempts: 8, maxEventAge: Duration.hours(1), deadLetterQueue: this.deadLetterQueue })],
    });
    // An order placed awaiting payment needs its payment-timeout timer; only those placements, so a paid
    // order costs no invocation (the reconciler backs the timer up: functions/use-cases/expire-payments.ts).
    new Rule(this, 'PaymentTimeoutRule', {
      eventBus: props.eventBus,
      description: 'Creates the payment-timeout timer of each order placed awaiting payment',
      eventPattern: { source: [props.orderEventSource], detailType: ['OrderPlaced'], detail: { status: ['PAYMENT_PENDING'] } },
      targets: [new LambdaFunction(this.scheduleFunction, { retryAttempts: 8, maxEventAge: Duration.hours(1), deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
