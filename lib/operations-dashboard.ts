import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AlarmStatusWidget, type IAlarm, type MathExpression, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';

/** A metric or metric math a graph can draw. */
type Graphable = Metric | MathExpression;

/** Properties of {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  /** Dashboard name: `order-pipeline-<stage>`. */
  readonly stage: string;
  /** Business and relay metrics (graphs of the first rows). */
  readonly business: {
    readonly ordersPerMinute: Readonly<Record<string, Graphable>>;
    readonly placedToShipmentRequested: { readonly p50: Graphable; readonly p95: Graphable };
    /** Rejections per reason (a SEARCH over the reason dimension). */
    readonly rejectedByReason: Graphable;
    readonly maxOverdueSeconds: Graphable;
  };
  readonly events: {
    readonly iteratorAge: Graphable;
    readonly published: Graphable;
    readonly failed: Graphable;
    readonly heldBack: Graphable;
  };
  readonly api: IHttpApi;
  readonly table: ITable;
  readonly stateMachine: IStateMachine;
  /** Every function of the stack, by a readable name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Shown as one status grid at the top, so the page says first whether anything is wrong. */
  readonly alarms: readonly IAlarm[];
}

/**
 * One CloudWatch dashboard for whoever is on call: alarm states, what happens to orders (per status
 * per minute, placed → shipment-requested latency, rejections by reason, overdue orders), the outbox
 * relay, then the HTTP API, the workflow, the table, each function and the dead-letter queues.
 *
 * Widgets for AWS resources come from cdk-monitoring-constructs, which knows each service's metrics
 * and their useful statistics; alarms are not created here but in {@link OperationsAlarms}, so the
 * dashboard only shows and one place decides what pages a person.
 */
export class OperationsDashboard extends Construct {
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboardName = `order-pipeline-${props.stage}`;
    const factory = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: this.dashboardName,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
      detailDashboardRange: Duration.hours(3),
    });
    const facade = new MonitoringFacade(this, 'Monitoring', { dashboardFactory: factory });

    facade.addWidget(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));

    const { business, events } = props;
    facade.monitorCustom({
      alarmFriendlyName: 'Orders',
      humanReadableName: 'Orders',
      metricGroups: [
        { title: 'Orders per minute, by what happened', metrics: Object.values(business.ordersPerMinute) },
        {
          title: 'Placed → shipment requested (ms)',
          metrics: [business.placedToShipmentRequested.p50, business.placedToShipmentRequested.p95],
        },
        { title: 'Rejected per minute, by reason', metrics: [business.rejectedByReason] },
        { title: 'Oldest overdue order (s past its deadline)', metrics: [business.maxOverdueSeconds] },
      ],
    });
    facade.monitorCustom({
      alarmFriendlyName: 'OrderEvents',
      humanReadableName: 'Order events (table stream → bus)',
      metricGroups: [
        { title: 'Stream iterator age (ms)', metrics: [events.iteratorAge] },
        { title: 'Events per minute', metrics: [events.published, events.failed, events.heldBack] },
      ],
    });

    facade.monitorApiGatewayV2HttpApi({ api: props.api, humanReadableName: 'HTTP API', alarmFriendlyName: 'HttpApi' });
    facade.monitorStepFunction({
      stateMachine: props.stateMachine,
      humanReadableName: 'Fulfilment workflow (Express)',
      alarmFriendlyName: 'Fulfilment',
    });
    facade.monitorDynamoTable({ table: props.table, humanReadableName: 'Orders table', alarmFriendlyName: 'OrdersTable' });
    for (const [name, lambdaFunction] of Object.entries(props.functions)) {
      facade.monitorLambdaFunction({ lambdaFunction, humanReadableName: name, alarmFriendlyName: name });
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      facade.monitorSqsQueue({ queue, humanReadableName: `Dead letters: ${name}`, alarmFriendlyName: name });
    }
  }
}
