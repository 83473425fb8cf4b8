import { Duration, SecretValue } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ParamsAndSecretsLayerVersion, ParamsAndSecretsVersions } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHANNEL_CLAIM, SCOPES } from '../functions/http/access.ts';
import { ROUTES, type Route, type RouteSecret } from '../functions/http/routes.ts';
import type { AdapterVariable } from '../functions/adapter-variables.ts';
import { acknowledgeNagFinding } from './nag.ts';
import type { OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';
import type { OrderIntakeMode } from './pipeline-context.ts';

/**
 * The adapter variables the stack sets on a route's function once it is built, from what the route
 * declares: the personal-data key where it seals or opens (the store's grants), the workflow where
 * it re-drives orders ({@link IntakeApi.connectFulfilment}), the intake queue where it queues orders on a
 * stage with the storage-first intake (lib/order-intake-queue.ts). Every other route's bundle leaves those
 * adapters out (functions/adapter-variables.ts): a read route carries no Encryption SDK or Step Functions
 * client, and PlaceOrder no SQS client on a stage that writes orders directly.
 */
function adapterVariablesOf(route: Route, orderIntake: OrderIntakeMode | undefined): AdapterVariable[] {
  const variables: AdapterVariable[] = [];
  if (route.personalData?.length) variables.push('PERSONAL_DATA_KEY_ARN');
  if (route.fulfilment === 'redrive') variables.push('STATE_MACHINE_ARN');
  // The route that queues orders on a stage with the storage-first intake (lib/order-intake-queue.ts sets the URL).
  if (orderIntake === 'queue' && route.access?.writesWhenQueued) variables.push('ORDER_INTAKE_QUEUE_URL');
  return variables;
}

/**
 * One JSON object per request. `client` and `channel` are the token's client id and channel
 * claim, i.e. who sent it; no headers or bodies, so no personal data reaches the access log.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    client: '$context.authorizer.claims.client_id',
    channel: `$context.authorizer.claims.${CHANNEL_CLAIM}`,
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
    authorizerError: '$context.authorizer.error',
  }),
);

/** Which tokens the API accepts: those an identity provider issued for this API. */
export interface JwtSettings {
  /** The `iss` of accepted tokens; API Gateway reads the signing keys from `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Accepted `aud` values (or `client_id` when a token has no `aud`). */
  readonly audience: string[];
}

/** Properties of an {@link IntakeApi}. */
export interface IntakeApiProps {
  readonly stage: string;
  readonly store: OrderStore;
  readonly jwt: JwtSettings;
  /**
   * Stage-wide throttle, a guard for the table and functions behind it. The default
   * sits below the ~2,100 orders/s peak the project targets: raise it together with
   * the quotas in docs/capacity.md (the account's 10,000 rps is shared by every API
   * in the region).
   * @default { rateLimit: 2000, burstLimit: 5000 }
   */
  readonly throttle?: ThrottleSettings;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /**
   * Origins (`https://host[:port]`) whose pages may call the API from a browser: where the operations
   * console (`console/`) is hosted. Tokens travel in the `Authorization` header, never in cookies, so
   * no credentials are allowed.
   * @default - none: CORS off, no browser page on another origin can call the API
   */
  readonly corsOrigins?: readonly string[];
  /**
   * `queue` when `POST /orders` queues new orders for the intake queue's drainer to land: the routes then keep only
   * the writes they still make (`writesWhenQueued` in functions/http/routes.ts).
   * @default 'direct'
   */
  readonly orderIntake?: OrderIntakeMode;
}

/** What a browser page may send and read: the headers the routes take and answer (route table, preconditions). */
const CORS_PREFLIGHT = {
  allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
  allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
  exposeHeaders: ['etag', 'location'],
  maxAge: Duration.hours(1),
};

/**
 * The HTTP API channels call to place, read, list, amend and cancel orders, and operators
 * call to read, hold, release, retry and cancel any order and set stock and routing policy.
 *
 * Every route but two requires a JWT from the configured issuer with one of the route's scopes;
 * the handlers read the caller's channel or operator role from the token's claims. A route added without its own
 * scopes requires the admin scope, so nothing opens up by omission. The exceptions:
 * `GET /openapi.json` (the API description) and the carriers' callback route, authenticated
 * by its HMAC signature instead. CORS is off unless origins are given (`corsOrigins`): the
 * operations console served from another origin is the one browser caller.
 */
export class IntakeApi extends Construct {
  public readonly httpApi: HttpApi;
  /** The `$default` stage, with access logs and throttling. */
  public readonly stage: HttpStage;
  /** Base URL of the API (ends with `/`). */
  public readonly url: string;
  /** Route handlers by route id (`PlaceOrder`, `GetOrder`, ...). */
  public readonly functions: Readonly<Record<string, PipelineFunction>>;
  /**
   * The secrets carriers sign their callbacks with, one JSON document: `{ "<carrierId>": "<secret>" }`,
   * or a list of secrets for a carrier during a rotation. Created empty: operators put each
   * carrier's secret when onboarding it.
   */
  public readonly carrierWebhookSecrets: Secret;
  /** Generated: the key `GET /orders` signs its cursors with, so a cursor is only good for the query it came from. */
  public readonly cursorSigningKey: Secret;

  constructor(scope: Construct, id: string, props: IntakeApiProps) {
    super(scope, id);
    const table = props.store.table;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Order pipeline intake (${props.stage})`,
      defaultAuthorizer: new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
        authorizerName: 'channels-and-operators',
        jwtAudience: props.jwt.audience,
      }),
      defaultAuthorizationScopes: [SCOPES.admin],
      ...(props.corsOrigins?.length ? { corsPreflight: { ...CORS_PREFLIGHT, allowOrigins: [...props.corsOrigins] } } : {}),
      // The stage is created below so that it can carry access logs and throttling.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 2000, burstLimit: 5000 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.stage.url;

    this.carrierWebhookSecrets = new Secret(this, 'CarrierWebhookSecrets', {
      description: `Carrier callback signing secrets by carrier id (${props.stage}); see README "Carriers"`,
      // No secret in it: an empty document the operators fill in.
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    acknowledgeNagFinding(
      this.carrierWebhookSecrets,
      'AwsSolutions-SMG4',
      'The carrier webhook secrets are issued to or agreed with each carrier and must change on both sides together, which a rotation Lambda cannot do; the handler accepts a list of secrets per carrier so an operator can rotate one carrier without downtime.',
    );

    this.cursorSigningKey = new Secret(this, 'CursorSigningKey', {
      description: `Key the list cursors of the orders API are signed with (${props.stage})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNagFinding(
      this.cursorSigningKey,
      'AwsSolutions-SMG4',
      'It signs list cursors, which live for a listing session; rotating it only makes cursors in flight answer 400 invalid-cursor, so it is rotated by replacing the value (or the stack) rather than by a rotation Lambda.',
    );
    const secretIds: Record<RouteSecret, Record<string, string>> = {
      carrierWebhooks: { CARRIER_WEBHOOK_SECRET_ID: this.carrierWebhookSecrets.secretArn },
      cursorSigning: { CURSOR_SIGNING_KEY_SECRET_ID: this.cursorSigningKey.secretArn },
    };
    const secrets: Record<RouteSecret, Secret> = { carrierWebhooks: this.carrierWebhookSecrets, cursorSigning: this.cursorSigningKey };

    const functions: Record<string, PipelineFunction> = {};
    for (const route of ROUTES) {
      const routeSecrets = route.secrets ?? [];
      const fn = new PipelineFunction(this, route.id, {
        entry: route.entry,
        serviceName: 'order-api',
        stage: props.stage,
        environment: {
          ...(route.access ? { ORDERS_TABLE_NAME: table.tableName } : {}),
          ...Object.assign({}, ...routeSecrets.map((secret) => secretIds[secret])),
        },
        adapterVariablesSetLater: adapterVariablesOf(route, props.orderIntake),
        ...(routeSecrets.length > 0
          ? {
              // Reads the secrets with the function's role, so no secret value sits in the function's
              // configuration. Its cache and the handler's (a minute each) bound how long a new value
              // takes to apply: two minutes at most.
              paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
                cacheSize: 10,
                secretsManagerTtl: Duration.minutes(1),
              }),
            }
          : {}),
      });
      const access = route.access;
      const queued = props.orderIntake === 'queue' ? access?.writesWhenQueued : undefined;
      const writes = access?.write ? (queued ?? access.writes ?? access.partitions) : [];
      const reads = access ? access.partitions.filter((partition) => !writes.includes(partition)) : [];
      if (writes.length) props.store.grantReadWriteItems(fn, writes);
      if (reads.length) props.store.grantReadItems(fn, reads);
      if (route.access?.indexes?.length) props.store.grantQueryIndexes(fn, [...route.access.indexes]);
      for (const secret of routeSecrets) secrets[secret].grantRead(fn);
      if (route.personalData?.includes('seal')) props.store.grantSealPersonalData(fn);
      if (route.personalData?.includes('open')) props.store.grantOpenPersonalData(fn);

      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
        // A public route must clear the API's default scopes, which CDK would copy onto it: API
        // Gateway refuses scopes on a route without a JWT authorizer (test/infra/deployable.test.ts).
        ...(route.scopes === 'public'
          ? { authorizer: new HttpNoneAuthorizer(), authorizationScopes: [] }
          : { authorizationScopes: [...route.scopes] }),
      });
      if (route.scopes === 'public') acknowledgeNagFinding(created!, 'AwsSolutions-APIG4', route.unauthenticatedBecause);
      functions[route.id] = fn;
    }
    this.functions = functions;
  }

  /**
   * Gives the routes that use fulfilment what they need of it: the deadlines of ADR 0002, and
   * for the routes that re-drive orders, the workflow to start executions of. The workflow is
   * built after the API (its rule reads the bus the API's writes end up on), hence a method.
   */
  connectFulfilment(stateMachine: IStateMachine, deadlines: Record<string, string>): void {
    for (const route of ROUTES) {
      if (!route.fulfilment) continue;
      const fn = this.functions[route.id]!;
      for (const [name, value] of Object.entries(deadlines)) fn.addEnvironment(name, value);
      if (route.fulfilment === 'redrive') {
        fn.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
        stateMachine.grantStartExecution(fn);
      }
    }
  }
}
