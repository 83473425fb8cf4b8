import { Duration, SecretValue } from 'aws-cdk-lib';
import {
  ApiDestination,
  Authorization,
  type CfnRule,
  Connection,
  EventBus,
  type EventPattern,
  HttpMethod,
  HttpParameter,
  type IEventBus,
  Rule,
} from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { OrderStore } from './order-store.ts';
import { PartnerEnrichment } from './partner-enrichment.ts';
import type { PartnerAuth, PartnerConfig } from './partners-config.ts';

/** Properties of a {@link PartnerSubscription}. */
export interface PartnerSubscriptionProps {
  readonly stage: string;
  readonly partner: PartnerConfig;
  /** The order bus the partner's rule listens on. */
  readonly eventBus: IEventBus;
  /** `source` of order events; added to the partner's pattern so it only ever matches them. */
  readonly orderEventSource: string;
  /** Read by the enrichment of a partner entitled to personal data. */
  readonly store: OrderStore;
}

/** Rule name of a partner on the order bus; replays name it in `Destination.FilterArns`. */
export const partnerRuleName = (partnerName: string) => `partner-${partnerName}`;

/**
 * Credentials of a connection, read from Secrets Manager at deploy time (dynamic references):
 * the partners file and the template only hold the secret's name. EventBridge keeps its own copy
 * in a secret it manages, so rotating the partner's secret needs a deploy (or an UpdateConnection).
 */
function authorizationOf(auth: PartnerAuth): Authorization {
  const field = (jsonField: string) => SecretValue.secretsManager(auth.secretName, { jsonField });
  switch (auth.type) {
    case 'apiKey':
      return Authorization.apiKey(auth.headerName, field('apiKey'));
    case 'basic':
      // The username is no secret to EventBridge either (it is shown on the connection), but it
      // lives next to the password so the partner's credentials are changed in one place.
      return Authorization.basic(field('username').unsafeUnwrap(), field('password'));
    case 'oauthClientCredentials':
      return Authorization.oauth({
        authorizationEndpoint: auth.tokenEndpoint,
        httpMethod: HttpMethod.POST,
        clientId: field('clientId').unsafeUnwrap(),
        clientSecret: field('clientSecret'),
        bodyParameters: {
          grant_type: HttpParameter.fromString('client_credentials'),
          ...(auth.scope ? { scope: HttpParameter.fromString(auth.scope) } : {}),
        },
      });
  }
}

/**
 * One partner: a rule on the order bus with the partner's pattern, delivering to the partner's
 * HTTPS endpoint (API destination and connection) or to its account's event bus, with the
 * partner's retry policy and its own encrypted dead-letter queue.
 *
 * A partner entitled to personal data gets it through a {@link PartnerEnrichment} between its rule
 * and its API destination; everyone else receives the bus event as is.
 */
export class PartnerSubscription extends Construct {
  public readonly rule: Rule;
  /** Events this partner did not accept after the retry policy ran out. */
  public readonly deadLetterQueue: DeadLetterQueue;
  public readonly enrichment?: PartnerEnrichment;

  constructor(scope: Construct, id: string, props: PartnerSubscriptionProps) {
    super(scope, id);
    const { partner } = props;
    const retryAttempts = partner.retry.maximumRetryAttempts;
    const maxEventAge = Duration.seconds(partner.retry.maximumEventAgeSeconds);

    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      queueName: `order-pipeline-${props.stage}-partner-${partner.name}-dlq`,
      deadLetterSourceDescription: `the deliveries to partner ${partner.name}`,
    });
    this.rule = new Rule(this, 'Rule', {
      ruleName: partnerRuleName(partner.name),
      eventBus: props.eventBus,
      description: partner.description ?? `Order events for partner ${partner.name}`,
      // The pattern as validated (raw EventBridge keys such as `detail-type` pass through as is).
      eventPattern: { ...partner.events, source: [props.orderEventSource] } as EventPattern,
    });

    const { target } = partner;
    if (target.type === 'eventBus') {
      this.rule.addTarget(
        new targets.EventBus(EventBus.fromEventBusArn(this, 'PartnerBus', target.eventBusArn), {
          deadLetterQueue: this.deadLetterQueue,
        }),
      );
      // The EventBus target has no retry props; EventBridge applies a retry policy to bus targets too.
      (this.rule.node.defaultChild as CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumRetryAttempts: retryAttempts,
        MaximumEventAgeInSeconds: maxEventAge.toSeconds(),
      });
      return;
    }

    const connection = new Connection(this, 'Connection', {
      description: `Credentials for partner ${partner.name} (from secret ${target.auth.secretName})`,
      authorization: authorizationOf(target.auth),
    });
    const destination = new ApiDestination(this, 'Destination', {
      description: `Endpoint of partner ${partner.name}`,
      connection,
      endpoint: target.endpoint,
      httpMethod: HttpMethod[target.httpMethod],
      ...(target.rateLimitPerSecond ? { rateLimitPerSecond: target.rateLimitPerSecond } : {}),
    });
    if (partner.personalData.length === 0) {
      this.rule.addTarget(
        new targets.ApiDestination(destination, { retryAttempts, maxEventAge, deadLetterQueue: this.deadLetterQueue }),
      );
      return;
    }
    this.enrichment = new PartnerEnrichment(this, 'Enrichment', {
      stage: props.stage,
      partnerName: partner.name,
      personalData: partner.personalData,
      store: props.store,
      destination,
      maxReceiveCount: retryAttempts + 1,
      maximumEventAge: maxEventAge,
      deadLetterQueue: this.deadLetterQueue,
    });
    // Putting the event in the queue is retried like any target; the partner's retry policy
    // applies to the pipe's calls, through the queue's receive count.
    this.rule.addTarget(
      new targets.SqsQueue(this.enrichment.queue, { retryAttempts, maxEventAge, deadLetterQueue: this.deadLetterQueue }),
    );
  }
}

/** Properties of {@link PartnerSubscriptions}. */
export interface PartnerSubscriptionsProps extends Omit<PartnerSubscriptionProps, 'partner'> {
  /** From the partners file (`config/partners.json`), validated. */
  readonly partners: readonly PartnerConfig[];
}

/** Every partner of the partners file, one {@link PartnerSubscription} each (construct id = partner name). */
export class PartnerSubscriptions extends Construct {
  public readonly subscriptions: Readonly<Record<string, PartnerSubscription>>;

  constructor(scope: Construct, id: string, props: PartnerSubscriptionsProps) {
    super(scope, id);
    const { partners, ...shared } = props;
    this.subscriptions = Object.fromEntries(
      partners.map((partner) => [partner.name, new PartnerSubscription(this, partner.name, { ...shared, partner })]),
    );
  }

  /** Dead-letter queues by `Partner-<name>-Dlq`, for the alarms. */
  get deadLetterQueues(): Record<string, DeadLetterQueue> {
    return Object.fromEntries(
      Object.entries(this.subscriptions).map(([name, subscription]) => [`Partner-${name}-Dlq`, subscription.deadLetterQueue]),
    );
  }
}
