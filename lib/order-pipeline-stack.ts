import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { eventContracts } from '../functions/events/event-contracts.ts';
import { EventContracts } from './event-contracts.ts';
import { EventPublishing } from './event-publishing.ts';
import { FulfilmentWorkflow } from './fulfilment-workflow.ts';
import { IntakeApi } from './intake-api.ts';
import { OperationsAlarms } from './operations-alarms.ts';
import { deadlineSettingsFrom } from '../functions/reconciler/deadline-settings.ts';
import { OrderReconciler } from './order-reconciler.ts';
import { OrderStore } from './order-store.ts';
import { PartnerSubscriptions } from './partner-subscriptions.ts';
import type { PartnerConfig } from './partners-config.ts';

/** Properties of an {@link OrderPipelineStack}. */
export interface OrderPipelineStackProps extends StackProps {
  /** Deployment stage (`dev`, `prod`, a developer's name...); `prod` retains data on deletion. */
  readonly stage: string;
  /**
   * Partners subscribed to order events (the validated partners file).
   * @default - none
   */
  readonly partners?: readonly PartnerConfig[];
}

/**
 * Tokens the API accepts unless context says otherwise (`-c orderPipeline:jwtIssuer=...`,
 * `-c orderPipeline:jwtAudience=a,b` or cdk.json). The `.invalid` issuer (RFC 2606) cannot
 * resolve, so a stack deployed without setting it accepts no token at all rather than
 * someone else's; the local cloud signs its development tokens for it.
 */
export const DEFAULT_JWT_ISSUER = 'https://auth.order-pipeline.invalid';
export const DEFAULT_JWT_AUDIENCE = 'order-pipeline';

function jwtSettings(scope: Construct) {
  const issuer = String(scope.node.tryGetContext('orderPipeline:jwtIssuer') ?? DEFAULT_JWT_ISSUER);
  const audience = scope.node.tryGetContext('orderPipeline:jwtAudience') ?? DEFAULT_JWT_AUDIENCE;
  return {
    issuer,
    audience: (Array.isArray(audience) ? audience.map(String) : String(audience).split(',')).map((a) => a.trim()).filter(Boolean),
  };
}

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
  public readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.store = new OrderStore(this, 'OrderStore', { stage });
    this.api = new IntakeApi(this, 'IntakeApi', { stage, store: this.store, jwt: jwtSettings(this) });
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
      deadlines: deadlineSettingsFrom({
        ORDER_DEADLINE_SECONDS: this.node.tryGetContext('orderPipeline:orderDeadlineSeconds'),
        MAX_REDRIVES: this.node.tryGetContext('orderPipeline:maxRedrives')?.toString(),
      }),
    });
    this.partners = new PartnerSubscriptions(this, 'Partners', {
      stage,
      partners: props.partners ?? [],
      eventBus: this.events.eventBus,
      orderEventSource: this.events.eventSource,
      store: this.store,
    });
    this.alarms = new OperationsAlarms(this, 'OperationsAlarms', {
      deadLetterQueues: {
        PublisherDlq: this.events.publisherDeadLetterQueue,
        OrderPlacedDlq: this.fulfilment.deadLetterQueue,
        ...this.partners.deadLetterQueues,
      },
      stateMachine: this.fulfilment.stateMachine,
      reconciler: {
        maxOverdueSeconds: this.reconciler.metricMaxOverdueSeconds,
        redrivenAgain: this.reconciler.metricRedrivenAgain,
      },
      keyRemovalPolicy: stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the intake API (JWT bearer tokens)' });
    new CfnOutput(this, 'EventBusName', { value: this.events.eventBus.eventBusName });
    new CfnOutput(this, 'EventArchiveArn', {
      value: this.events.archive.archiveArn,
      description: 'Source of replays (aws events start-replay --event-source-arn)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.fulfilment.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OrdersTableName', { value: this.store.table.tableName });
    new CfnOutput(this, 'CarrierWebhookSecretsArn', {
      value: this.api.carrierWebhookSecrets.secretArn,
      description: 'Carrier callback signing secrets: { "<carrierId>": "<secret>" }',
    });
  }
}
