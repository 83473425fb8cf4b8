import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EventPublishing } from './event-publishing.ts';
import { FulfilmentWorkflow } from './fulfilment-workflow.ts';
import { IntakeApi } from './intake-api.ts';
import { OperationsAlarms } from './operations-alarms.ts';
import { OrderStore } from './order-store.ts';

/** Properties of an {@link OrderPipelineStack}. */
export interface OrderPipelineStackProps extends StackProps {
  /** Deployment stage (`dev`, `prod`, a developer's name...); `prod` retains data on deletion. */
  readonly stage: string;
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
 * The whole order pipeline: intake API, order store, event publishing, fulfilment workflow and
 * alarms. It only composes; each concern lives in its own construct.
 */
export class OrderPipelineStack extends Stack {
  public readonly store: OrderStore;
  public readonly api: IntakeApi;
  public readonly events: EventPublishing;
  public readonly fulfilment: FulfilmentWorkflow;
  public readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.store = new OrderStore(this, 'OrderStore', { stage });
    this.api = new IntakeApi(this, 'IntakeApi', { stage, store: this.store, jwt: jwtSettings(this) });
    this.events = new EventPublishing(this, 'EventPublishing', { stage, store: this.store });
    this.fulfilment = new FulfilmentWorkflow(this, 'Fulfilment', {
      stage,
      store: this.store,
      eventBus: this.events.eventBus,
      orderEventSource: this.events.eventSource,
    });
    this.alarms = new OperationsAlarms(this, 'OperationsAlarms', {
      deadLetterQueues: {
        PublisherDlq: this.events.publisherDeadLetterQueue,
        OrderPlacedDlq: this.fulfilment.deadLetterQueue,
      },
      stateMachine: this.fulfilment.stateMachine,
      keyRemovalPolicy: stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the intake API (JWT bearer tokens)' });
    new CfnOutput(this, 'EventBusName', { value: this.events.eventBus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', { value: this.fulfilment.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OrdersTableName', { value: this.store.table.tableName });
  }
}
