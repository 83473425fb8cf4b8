import { Annotations, CfnOutput, Duration, Lazy, RemovalPolicies, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { eventContracts } from '../functions/events/event-contracts.ts';
import { OrderIntakeQueue } from './order-intake-queue.ts';
import { ConsoleHosting } from './console-hosting.ts';
import { EventContracts } from './event-contracts.ts';
import { EventPublishing } from './event-publishing.ts';
import { FulfilmentWorkflow } from './fulfilment-workflow.ts';
import { IntakeApi } from './intake-api.ts';
import { OperationsAlarms } from './operations-alarms.ts';
import { OperationsDashboard } from './operations-dashboard.ts';
import { deadlineEnvironment, OrderReconciler } from './order-reconciler.ts';
import { DEFAULT_DEADLINES } from '../functions/domain/deadlines.ts';
import { OrderStore } from './order-store.ts';
import { OrderTimers } from './order-timers.ts';
import { PartnerSubscriptions } from './partner-subscriptions.ts';
import type { PartnerConfig } from './partners-config.ts';
import { CHANNEL_SETTINGS_ENV } from '../functions/environment.ts';
import { type ChannelSettingsFile, channelSettingsForFunctions, NO_CHANNEL_SETTINGS } from '../functions/domain/channel-settings.ts';
import { readPipelineContext, retainsDataByDefault } from './pipeline-context.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { ORDER_METRICS, PUBLISHER_METRICS } from '../functions/publisher/metrics.ts';

/** What the channels file may take of a function's environment; the rest of Lambda's 4 KB is the functions' own. */
const MAX_CHANNEL_SETTINGS_LENGTH = 2_048;

/** Properties of an {@link OrderPipelineStack}. */
export interface OrderPipelineStackProps extends StackProps {
  /** Deployment stage (`dev`, `prod`, a developer's name...): part of resource names. */
  readonly stage: string;
  /**
   * Partners subscribed to order events (the validated partners file).
   * @default - none
   */
  readonly partners?: readonly PartnerConfig[];
  /**
   * Each channel's hold window and payment settings (the validated channels file).
   * @default - none: every channel gets the defaults
   */
  readonly channels?: ChannelSettingsFile;
  /**
   * Keep the data ({@link DATA_RESOURCE_TYPES}) when the stack or one of its resources is deleted, with the
   * table's deletion protection and the stack's termination protection on.
   * @default - context `orderPipeline:retainData`, else {@link retainsDataByDefault}
   */
  readonly retainData?: boolean;
}

/**
 * The resource types that hold data: orders and stock, logs, the carriers' secrets, the alarm topic's key.
 * Their removal policy is decided here, once, for the whole stack.
 */
export const DATA_RESOURCE_TYPES = ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key'];

/**
 * The whole order pipeline: intake API, order store, event publishing and the event schemas,
 * fulfilment workflow, partner subscriptions and alarms. It only composes; each concern lives
 * in its own construct.
 */
export class OrderPipelineStack extends Stack {
  public readonly store: OrderStore;
  public readonly api: IntakeApi;
  public readonly events: EventPublishing;
  public readonly eventContracts: EventContracts;
  public readonly fulfilment: FulfilmentWorkflow;
  public readonly partners: PartnerSubscriptions;
  public readonly reconciler: OrderReconciler;
  public readonly timers: OrderTimers;
  public readonly alarms: OperationsAlarms;
  public readonly dashboard: OperationsDashboard;
  /** The storage-first intake, when context `orderPipeline:orderIntake` is `queue`. */
  public readonly intakeQueue?: OrderIntakeQueue;
  /** The console on S3 and CloudFront, when context `orderPipeline:hostConsole` asks for it. */
  public readonly console?: ConsoleHosting;

  /** Whether the stack keeps its data on deletion (see {@link OrderPipelineStackProps.retainData}). */
  public readonly retainData: boolean;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    const context = readPipelineContext(scope.node);
    const retainData = props.retainData ?? context.retainData ?? retainsDataByDefault(props.stage, context.localRuntime);
    super(scope, id, { terminationProtection: retainData, ...props });
    const { stage } = props;
    this.retainData = retainData;
    RemovalPolicies.of(this).apply(retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY, {
      applyToResourceTypes: DATA_RESOURCE_TYPES,
    });
    for (const message of context.deprecations) Annotations.of(this).addWarningV2('order-pipeline:deprecated-context', message);

    this.store = new OrderStore(this, 'OrderStore', { retainData });
    // Built before the API, which must allow its origin; the page learns the API's URL once the API exists.
    this.console = context.hostConsole
      ? new ConsoleHosting(this, 'Console', { apiUrl: Lazy.string({ produce: () => this.api.url }) })
      : undefined;
    this.api = new IntakeApi(this, 'IntakeApi', {
      stage,
      store: this.store,
      jwt: context.jwt,
      corsOrigins: [...context.consoleOrigins, ...(this.console ? [this.console.origin] : [])],
      orderIntake: context.orderIntake,
    });
    this.intakeQueue =
      context.orderIntake === 'queue'
        ? new OrderIntakeQueue(this, 'IntakeQueue', {
            stage,
            store: this.store,
            placeOrder: this.api.functions.PlaceOrder!,
            drainConcurrency: context.intakeDrainConcurrency,
          })
        : undefined;
    this.events = new EventPublishing(this, 'EventPublishing', { stage, store: this.store });
    this.eventContracts = new EventContracts(this, 'EventContracts', {
      stage,
      eventSource: this.events.eventSource,
      schemas: eventContracts(this.events.eventSource).map(({ detailType, description, registrySchema }) => ({
        detailType,
        description,
        schema: registrySchema,
      })),
    });
    this.fulfilment = new FulfilmentWorkflow(this, 'Fulfilment', {
      stage,
      store: this.store,
      eventBus: this.events.eventBus,
      orderEventSource: this.events.eventSource,
    });
    this.reconciler = new OrderReconciler(this, 'Reconciler', {
      stage,
      store: this.store,
      stateMachine: this.fulfilment.stateMachine,
      deadlines: context.deadlines,
    });
    this.timers = new OrderTimers(this, 'Timers', {
      stage,
      store: this.store,
      eventBus: this.events.eventBus,
      orderEventSource: this.events.eventSource,
      stateMachine: this.fulfilment.stateMachine,
      deadlines: context.deadlines,
    });
    this.api.connectFulfilment(this.fulfilment.stateMachine, deadlineEnvironment(context.deadlines ?? DEFAULT_DEADLINES));
    this.partners = new PartnerSubscriptions(this, 'Partners', {
      stage,
      partners: props.partners ?? [],
      eventBus: this.events.eventBus,
      orderEventSource: this.events.eventSource,
      store: this.store,
    });
    const deadLetterQueues = {
      PublisherDlq: this.events.publisherDeadLetterQueue,
      OrderPlacedDlq: this.fulfilment.deadLetterQueue,
      OrderTimersDlq: this.timers.deadLetterQueue,
      ...this.partners.deadLetterQueues,
      ...(this.intakeQueue ? { IntakeQueueDlq: this.intakeQueue.deadLetterQueue } : {}),
    };
    const functions = functionsOf(this);
    // Every function, rather than a list to keep in step with the code that reads it: a channel setting changed
    // updates every function's configuration. The file shares Lambda's 4 KB of environment with the rest.
    const channelSettings = JSON.stringify(channelSettingsForFunctions(props.channels ?? NO_CHANNEL_SETTINGS));
    if (channelSettings.length > MAX_CHANNEL_SETTINGS_LENGTH) {
      throw new Error(
        `The channels file takes ${channelSettings.length} characters in each function's environment, over the ${MAX_CHANNEL_SETTINGS_LENGTH} it may (Lambda allows 4 KB in all): list only the channels that differ from the defaults`,
      );
    }
    for (const fn of Object.values(functions)) fn.addEnvironment(CHANNEL_SETTINGS_ENV, channelSettings);
    const perMinute = (name: (typeof ORDER_METRICS)[keyof typeof ORDER_METRICS]) => this.events.metric(name, 'Sum');
    const latency = (statistic: string) => this.events.metric(ORDER_METRICS.placedToShipmentRequested, statistic);
    this.alarms = new OperationsAlarms(this, 'OperationsAlarms', {
      deadLetterQueues,
      stateMachine: this.fulfilment.stateMachine,
      reconciler: {
        maxOverdueSeconds: this.reconciler.metricMaxOverdueSeconds,
        redrivenAgain: this.reconciler.metricRedrivenAgain,
      },
      httpApi: this.api.httpApi,
      functions,
      publisher: {
        iteratorAge: this.events.publisher.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        refusedEvents: this.events.metric(PUBLISHER_METRICS.failed, 'Sum'),
        heldBackEvents: this.events.metric(PUBLISHER_METRICS.breakingContract, 'Sum'),
      },
      orders: {
        placed: perMinute(ORDER_METRICS.placed),
        rejected: perMinute(ORDER_METRICS.rejected),
        placedToShipmentRequestedP95: latency('p95'),
      },
      table: this.store.table,
      alarmEmails: context.alarmEmails,
    });
    this.dashboard = new OperationsDashboard(this, 'OperationsDashboard', {
      stage,
      business: {
        ordersPerMinute: Object.fromEntries(
          [ORDER_METRICS.placed, ORDER_METRICS.shipmentRequested, ORDER_METRICS.rejected, ORDER_METRICS.cancelled, ORDER_METRICS.failed].map(
            (name) => [name, perMinute(name)],
          ),
        ),
        placedToShipmentRequested: { p50: latency('p50'), p95: latency('p95') },
        rejectedByReason: this.events.metricRejectedByReason(),
        maxOverdueSeconds: this.reconciler.metricMaxOverdueSeconds,
      },
      events: {
        iteratorAge: this.events.publisher.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        published: this.events.metric(PUBLISHER_METRICS.published, 'Sum'),
        failed: this.events.metric(PUBLISHER_METRICS.failed, 'Sum'),
        heldBack: this.events.metric(PUBLISHER_METRICS.breakingContract, 'Sum'),
      },
      api: this.api.httpApi,
      table: this.store.table,
      stateMachine: this.fulfilment.stateMachine,
      functions,
      deadLetterQueues,
      alarms: Object.values(this.alarms.alarms),
    });

    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the intake API (JWT bearer tokens)' });
    new CfnOutput(this, 'EventBusName', { value: this.events.eventBus.eventBusName });
    new CfnOutput(this, 'EventArchiveArn', {
      value: this.events.archive.archiveArn,
      description: 'Source of replays (aws events start-replay --event-source-arn)',
    });
    if (this.console) {
      new CfnOutput(this, 'ConsoleUrl', {
        value: `${this.console.origin}/`,
        description: 'Operations console: open with #token=<operator token> (the page finds the API in config.json)',
      });
    }
    new CfnOutput(this, 'StateMachineArn', { value: this.fulfilment.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OrdersTableName', { value: this.store.table.tableName });
    new CfnOutput(this, 'CarrierWebhookSecretsArn', {
      value: this.api.carrierWebhookSecrets.secretArn,
      description: 'Carrier callback signing secrets: { "<carrierId>": "<secret>" }',
    });
  }
}

/**
 * Every pipeline function in `scope`, named by its construct path without the stack (`IntakeApiPlaceOrder`), so a
 * function added anywhere gets its alarms and dashboard row without a list to keep.
 */
function functionsOf(scope: Stack): Record<string, PipelineFunction> {
  const functions = scope.node.findAll().filter((construct): construct is PipelineFunction => construct instanceof PipelineFunction);
  return Object.fromEntries(functions.map((fn) => [fn.node.scopes.slice(1).map((s) => s.node.id).join(''), fn]));
}
