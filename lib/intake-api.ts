import { Duration, SecretValue } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
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
import { Construct } from 'constructs';
import { CHANNEL_CLAIM, SCOPES, type Scope } from '../functions/http/access.ts';
import { acknowledgeNagFinding } from './nag.ts';
import type { OrderIndexName, OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** What a route's handler may do with the orders table. */
interface TableAccess {
  readonly write: boolean;
  /** Indexes the handler queries; none unless it lists. */
  readonly indexes?: OrderIndexName[];
}

/**
 * Who may call a route: tokens with a scope, or anyone, with the reason written down (it
 * acknowledges cdk-nag's APIG4 finding, so a public route cannot be added without one).
 */
type RouteAuthorization =
  | { readonly scope: Scope; readonly unauthenticatedBecause?: never }
  | { readonly scope: 'public'; readonly unauthenticatedBecause: string };

type RouteSpec = RouteAuthorization & {
  readonly id: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler source relative to `functions/`, without extension. */
  readonly entry: string;
  /** The orders table; none for a route that does not touch it. */
  readonly access?: TableAccess;
  /** The handler verifies carrier callback signatures, so it reads the carrier webhook secrets. */
  readonly readsCarrierSecrets?: boolean;
};

/** The routes: one function per route, so each gets only the table access it needs. */
const ROUTES: readonly RouteSpec[] = [
  {
    id: 'PlaceOrder',
    method: HttpMethod.POST,
    path: '/orders',
    entry: 'api/place-order',
    access: { write: true },
    scope: SCOPES.channel,
  },
  {
    id: 'GetOrder',
    method: HttpMethod.GET,
    path: '/orders/{orderId}',
    entry: 'api/get-order',
    access: { write: false },
    scope: SCOPES.channel,
  },
  {
    id: 'ListOrders',
    method: HttpMethod.GET,
    path: '/orders',
    entry: 'api/list-orders',
    access: { write: false, indexes: ['byChannelStatus', 'byChannel', 'byCustomer'] },
    scope: SCOPES.channel,
  },
  {
    id: 'CancelOrder',
    method: HttpMethod.POST,
    path: '/orders/{orderId}/cancel',
    entry: 'api/cancel-order',
    access: { write: true },
    scope: SCOPES.channel,
  },
  {
    id: 'ChangeShippingAddress',
    method: HttpMethod.PATCH,
    path: '/orders/{orderId}/shipping-address',
    entry: 'api/change-shipping-address',
    access: { write: true },
    scope: SCOPES.channel,
  },
  {
    id: 'GetOrderTimeline',
    method: HttpMethod.GET,
    path: '/orders/{orderId}/timeline',
    entry: 'api/get-order-timeline',
    access: { write: false },
    scope: SCOPES.channel,
  },
  {
    id: 'PutInventory',
    method: HttpMethod.PUT,
    path: '/inventory/{sku}',
    entry: 'api/put-inventory',
    access: { write: true },
    scope: SCOPES.admin,
  },
  {
    id: 'GetInventory',
    method: HttpMethod.GET,
    path: '/inventory/{sku}',
    entry: 'api/get-inventory',
    access: { write: false },
    scope: SCOPES.admin,
  },
  {
    id: 'AdjustInventory',
    method: HttpMethod.POST,
    path: '/inventory/{sku}/adjustments',
    entry: 'api/adjust-inventory',
    access: { write: true },
    scope: SCOPES.admin,
  },
  {
    id: 'GetRoutingPolicy',
    method: HttpMethod.GET,
    path: '/policies/routing',
    entry: 'api/get-routing-policy',
    access: { write: false },
    scope: SCOPES.admin,
  },
  {
    id: 'PutRoutingPolicy',
    method: HttpMethod.PUT,
    path: '/policies/routing',
    entry: 'api/put-routing-policy',
    access: { write: true },
    scope: SCOPES.admin,
  },
  {
    id: 'CarrierEvents',
    method: HttpMethod.POST,
    path: '/carriers/{carrierId}/events',
    entry: 'api/carrier-events',
    access: { write: true },
    scope: 'public',
    unauthenticatedBecause:
      'Carriers cannot sign AWS SigV4 requests or hold channel credentials; each callback carries an HMAC-SHA256 signature over a timestamp and the raw body with its carrier\'s secret, which the handler verifies (functions/carriers/webhook-signature.ts) before reading anything else, refusing bad, stale or future signatures with 401.',
    readsCarrierSecrets: true,
  },
  {
    id: 'GetOpenApi',
    method: HttpMethod.GET,
    path: '/openapi.json',
    entry: 'api/get-openapi',
    scope: 'public',
    unauthenticatedBecause:
      'It serves the API description, which holds no order, stock or policy data and which integrators and client generators fetch before they have a token.',
  },
];

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
}

/**
 * The HTTP API channels call to place, read, list, amend and cancel orders, and operators
 * call to set stock and routing policy.
 *
 * Every route but two requires a JWT from the configured issuer with the route's scope; the
 * handlers read the caller's channel from the token's claims. A route added without its own
 * scopes requires the admin scope, so nothing opens up by omission. The exceptions:
 * `GET /openapi.json` (the API description) and the carriers' callback route, authenticated
 * by its HMAC signature instead. CORS is off because no browser calls this API.
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

    const functions: Record<string, PipelineFunction> = {};
    for (const route of ROUTES) {
      const fn = new PipelineFunction(this, route.id, {
        entry: route.entry,
        serviceName: 'order-api',
        stage: props.stage,
        environment: {
          ...(route.access ? { ORDERS_TABLE_NAME: table.tableName } : {}),
          ...(route.readsCarrierSecrets ? { CARRIER_WEBHOOK_SECRET_ID: this.carrierWebhookSecrets.secretArn } : {}),
        },
        ...(route.readsCarrierSecrets
          ? {
              // Reads the secret with the function's role. Its cache and the handler's (a minute each)
              // bound how long a carrier's new secret takes to apply: two minutes at most.
              paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
                cacheSize: 10,
                secretsManagerTtl: Duration.minutes(1),
              }),
            }
          : {}),
      });
      if (route.access?.write) props.store.grantReadWriteItems(fn);
      else if (route.access) props.store.grantReadItems(fn);
      if (route.access?.indexes?.length) props.store.grantQueryIndexes(fn, route.access.indexes);
      if (route.readsCarrierSecrets) this.carrierWebhookSecrets.grantRead(fn);

      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
        // A public route must clear the API's default scopes, which CDK would copy onto it: API
        // Gateway refuses scopes on a route without a JWT authorizer (test/infra/deployable.test.ts).
        ...(route.scope === 'public'
          ? { authorizer: new HttpNoneAuthorizer(), authorizationScopes: [] }
          : { authorizationScopes: [route.scope] }),
      });
      if (route.scope === 'public') acknowledgeNagFinding(created!, 'AwsSolutions-APIG4', route.unauthenticatedBecause);
      functions[route.id] = fn;
    }
    this.functions = functions;
  }
}
