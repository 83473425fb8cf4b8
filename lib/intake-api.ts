import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { OrderIndexName, OrderStore } from './order-store.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** What a route's handler may do with the orders table. */
interface TableAccess {
  readonly write: boolean;
  /** Indexes the handler queries; none unless it lists. */
  readonly indexes?: OrderIndexName[];
}

interface RouteSpec {
  readonly id: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler source relative to `functions/`, without extension. */
  readonly entry: string;
  readonly access: TableAccess;
}

/** The channel-facing routes: one function per route, so each gets only the table access it needs. */
const ROUTES: readonly RouteSpec[] = [
  { id: 'PlaceOrder', method: HttpMethod.POST, path: '/orders', entry: 'api/place-order', access: { write: true } },
  { id: 'GetOrder', method: HttpMethod.GET, path: '/orders/{orderId}', entry: 'api/get-order', access: { write: false } },
  {
    id: 'ListOrders',
    method: HttpMethod.GET,
    path: '/orders',
    entry: 'api/list-orders',
    access: { write: false, indexes: ['byChannelStatus', 'byChannel', 'byCustomer'] },
  },
  {
    id: 'CancelOrder',
    method: HttpMethod.POST,
    path: '/orders/{orderId}/cancel',
    entry: 'api/cancel-order',
    access: { write: true },
  },
  { id: 'PutInventory', method: HttpMethod.PUT, path: '/inventory/{sku}', entry: 'api/put-inventory', access: { write: true } },
  { id: 'GetInventory', method: HttpMethod.GET, path: '/inventory/{sku}', entry: 'api/get-inventory', access: { write: false } },
  {
    id: 'AdjustInventory',
    method: HttpMethod.POST,
    path: '/inventory/{sku}/adjustments',
    entry: 'api/adjust-inventory',
    access: { write: true },
  },
  {
    id: 'GetRoutingPolicy',
    method: HttpMethod.GET,
    path: '/policies/routing',
    entry: 'api/get-routing-policy',
    access: { write: false },
  },
  {
    id: 'PutRoutingPolicy',
    method: HttpMethod.PUT,
    path: '/policies/routing',
    entry: 'api/put-routing-policy',
    access: { write: true },
  },
];

/**
 * One JSON object per request. `userArn` is the SigV4 caller, i.e. which channel sent it;
 * no headers or bodies, so no personal data reaches the access log.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    userArn: '$context.identity.userArn',
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

/** Properties of an {@link IntakeApi}. */
export interface IntakeApiProps {
  readonly stage: string;
  readonly store: OrderStore;
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
 * The HTTP API channels call to place, read, list and cancel orders and to set stock.
 *
 * Every route requires IAM (SigV4) authorisation: channels are machines with AWS credentials until
 * a JWT authoriser replaces this. CORS is off because no browser calls this API.
 */
export class IntakeApi extends Construct {
  public readonly httpApi: HttpApi;
  /** The `$default` stage, with access logs and throttling. */
  public readonly stage: HttpStage;
  /** Base URL of the API (ends with `/`). */
  public readonly url: string;
  /** Route handlers by route id (`PlaceOrder`, `GetOrder`, ...). */
  public readonly functions: Readonly<Record<string, PipelineFunction>>;

  constructor(scope: Construct, id: string, props: IntakeApiProps) {
    super(scope, id);
    const table = props.store.table;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Order pipeline intake (${props.stage})`,
      defaultAuthorizer: new HttpIamAuthorizer(),
      // The stage is created below so that it can carry access logs and throttling.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 2000, burstLimit: 5000 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.stage.url;

    const functions: Record<string, PipelineFunction> = {};
    for (const route of ROUTES) {
      const fn = new PipelineFunction(this, route.id, {
        entry: route.entry,
        serviceName: 'order-api',
        stage: props.stage,
        environment: { ORDERS_TABLE_NAME: table.tableName },
      });
      if (route.access.write) props.store.grantReadWriteItems(fn);
      else props.store.grantReadItems(fn);
      if (route.access.indexes?.length) props.store.grantQueryIndexes(fn, route.access.indexes);

      this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
      });
      functions[route.id] = fn;
    }
    this.functions = functions;
  }
}
