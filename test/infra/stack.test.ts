import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { OrderStore } from '../../lib/order-store.ts';
import { ALL_DETAIL_TYPES, orderEventOf } from '../../functions/domain/events.ts';
import { eventContracts } from '../../functions/events/event-contracts.ts';
import { ROUTES as ROUTE_TABLE, routeKey } from '../../functions/http/routes.ts';
import { testEventPattern } from '../../packages/event-pattern/index.ts';
import { placeOrder, type Actor, type Order } from '../../functions/domain/order.ts';
import { decidePayment, stockLockedAwaitingPayment } from '../../functions/domain/payment.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { type CfnResource, getAtt, REPO_ROOT, ref, testContext } from './support.ts';

const T0 = '2026-12-04T10:00:00.000Z';
const CHANNEL: Actor = { kind: 'channel', id: 'web-shop' };

/** The contract, from the route table: which source file serves which route. */
const ROUTES: Record<string, string> = Object.fromEntries(ROUTE_TABLE.map((route) => [routeKey(route), `functions/${route.entry}.ts`]));
/** The contract, from the route table: the scope each route requires; the API description and the signed carrier callbacks are public. */
const ROUTE_SCOPES: Record<string, string[] | 'public'> = Object.fromEntries(
  ROUTE_TABLE.map((route) => [routeKey(route), route.scopes === 'public' ? 'public' : [...route.scopes]]),
);
/** Routes whose handler does not touch the orders table. */
const NO_TABLE_ROUTES = ROUTE_TABLE.filter((route) => !route.access).map(routeKey);
/** The contract: which handler (source file, `#` export) each Task state of the fulfilment definition runs. */
const TASKS: Record<string, string> = {
  LockStock: 'functions/workflow/fulfilment-steps.ts#LockStock',
  RouteOrder: 'functions/workflow/fulfilment-steps.ts#RouteOrder',
  RequestShipment: 'functions/workflow/fulfilment-steps.ts#RequestShipment',
  CancelShipment: 'functions/workflow/fulfilment-steps.ts#CancelShipment',
  ReleaseAllocation: 'functions/workflow/fulfilment-steps.ts#ReleaseAllocation',
  ReleaseStock: 'functions/workflow/fulfilment-steps.ts#ReleaseStock',
  CloseOrder: 'functions/workflow/fulfilment-steps.ts#CloseOrder',
};
const PUBLISHER = 'functions/publisher/publish-order-events.ts';
const RECONCILER = 'functions/reconciler/reconcile-overdue-orders.ts';
const TIMERS = ['functions/timers/fire-order-timer.ts', 'functions/timers/schedule-order-timers.ts'];
/** POST routes that only compute: a dry-run reads orders and stock and writes nothing. */
const READ_ONLY_POSTS = ['POST /policies/routing/dry-run'];
/** The routes that query indexes, and which: listing, erasure (a customer's orders), the dry-run's newest orders per channel. */
const INDEXES_READ: Record<string, string[]> = {
  'GET /orders': ['/index/byChannel', '/index/byChannelStatus', '/index/byCustomer'],
  'DELETE /customers/{customerId}/personal-data': ['/index/byCustomer'],
  'POST /policies/routing/dry-run': ['/index/byChannel'],
};
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

let template: Template;
let contractsTemplate: Template;
let prodStoreTemplate: Template;
let resources: Record<string, CfnResource>;
const outdirs: string[] = [];
const newApp = () => {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-stack-test-'));
  outdirs.push(outdir);
  return new App({ outdir, context: testContext() });
};

const ofType = (type: string): [string, CfnResource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const onlyOfType = (type: string): [string, CfnResource] => {
  const found = ofType(type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
};
/**
 * The handler a function runs: its source file (relative to the repo root), with `#<export>` when
 * the export is not `handler`.
 */
const handlerOf = (fn: CfnResource): string => {
  const exportName = String(fn.Properties.Handler).replace(/^index\./, '');
  return `${fn.Metadata?.['order-pipeline:entry']}${exportName === 'handler' ? '' : `#${exportName}`}`;
};
/** Logical id of the function that runs `entry` (as {@link handlerOf} names it). */
const functionId = (entry: string): string => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => handlerOf(r) === entry);
  expect(found, `exactly one function for ${entry}`).toHaveLength(1);
  return found[0]![0];
};
/** Every IAM statement attached to the execution role of a function. */
const roleStatements = (roleRef: unknown): Array<{ Effect: string; Action: string | string[]; Resource: unknown }> =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const functionStatements = (entry: string) => {
  const role = resources[functionId(entry)]!.Properties.Role as { 'Fn::GetAtt': [string, string] };
  return roleStatements(ref(role['Fn::GetAtt'][0]));
};
const actionsOf = (statements: Array<{ Action: string | string[] }>): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

beforeAll(() => {
  const stack = new OrderPipelineStack(newApp(), 'OrderPipeline-test', { stage: 'test' });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  contractsTemplate = Template.fromStack(stack.eventContracts);

  // Only the store with retained data: the full stack is not needed to check the switch (see stack-conventions.test.ts).
  const prodStack = new Stack(newApp(), 'Prod');
  new OrderStore(prodStack, 'OrderStore', { retainData: true });
  prodStoreTemplate = Template.fromStack(prodStack);
}, 120_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('orders table', () => {
  it('is keyed by pk/sk, on demand, with PITR, KMS encryption, TTL on expiresAt and a new-and-old-images stream', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('has exactly the five keys-only indexes with string keys', () => {
    const [, table] = onlyOfType('AWS::DynamoDB::Table');
    const indexes = Object.fromEntries(
      (table.Properties.GlobalSecondaryIndexes as any[]).map((i) => [
        i.IndexName,
        { keys: i.KeySchema.map((k: any) => `${k.KeyType}:${k.AttributeName}`), projection: i.Projection.ProjectionType },
      ]),
    );
    expect(indexes).toEqual({
      byChannelStatus: { keys: ['HASH:channelStatus', 'RANGE:orderId'], projection: 'KEYS_ONLY' },
      byChannel: { keys: ['HASH:channel', 'RANGE:orderId'], projection: 'KEYS_ONLY' },
      byCustomer: { keys: ['HASH:customerId', 'RANGE:orderId'], projection: 'KEYS_ONLY' },
      byInFlightSince: { keys: ['HASH:inFlightShard', 'RANGE:inFlightSince'], projection: 'KEYS_ONLY' },
      byUpdatedAt: { keys: ['HASH:updatedShard', 'RANGE:updatedAt'], projection: 'KEYS_ONLY' },
    });
    const types = Object.fromEntries(
      (table.Properties.AttributeDefinitions as any[]).map((a) => [a.AttributeName, a.AttributeType]),
    );
    expect(types).toEqual({ pk: 'S', sk: 'S', channelStatus: 'S', orderId: 'S', channel: 'S', customerId: 'S', inFlightShard: 'S', inFlightSince: 'S', updatedShard: 'S', updatedAt: 'S' });
  });

  it('is deleted with a dev or test stack', () => {
    const [, table] = onlyOfType('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).not.toBe(true);
  });

  it('is retained and deletion-protected where data is retained', () => {
    prodStoreTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });
});

describe('event bus', () => {
  it('is named after the stage and archived in full for 30 days', () => {
    const [busId] = onlyOfType('AWS::Events::EventBus');
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'order-pipeline-test' });
    const [, archive] = onlyOfType('AWS::Events::Archive');
    expect(archive.Properties.SourceArn).toEqual(getAtt(busId));
    expect(archive.Properties.RetentionDays).toBe(30);
    // Every event on the bus carries the stack's account; a narrower pattern would leave events out of replay.
    expect(archive.Properties.EventPattern).toEqual({ account: [{ Ref: 'AWS::AccountId' }] });
  });

  it('receives events from the publisher only through PutEvents on this bus', () => {
    const [busId] = onlyOfType('AWS::Events::EventBus');
    const publisher = resources[functionId(PUBLISHER)]!;
    expect(publisher.Properties.Environment.Variables).toMatchObject({
      EVENT_BUS_NAME: ref(busId),
      EVENT_SOURCE: 'order-pipeline',
    });
    const putEvents = functionStatements(PUBLISHER).filter((s) => actionsOf([s]).some((a) => a.startsWith('events:')));
    expect(putEvents).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: getAtt(busId) }]);
  });
});

describe('event schema registry', () => {
  it('holds one draft 4 schema per detail-type, named source@detail-type, with the generated content', () => {
    // A nested stack of its own (the schemas are a third of the template): one in the main stack, none loose.
    expect(ofType('AWS::CloudFormation::Stack')).toHaveLength(1);
    expect(ofType('AWS::EventSchemas::Schema')).toEqual([]);
    const nested = Object.entries(contractsTemplate.toJSON().Resources as Record<string, CfnResource>);
    const [[registryId, registry]] = nested.filter(([, r]) => r.Type === 'AWS::EventSchemas::Registry') as [[string, CfnResource]];
    expect(registry.Properties.RegistryName).toBe('order-pipeline-test');
    const schemas = nested.filter(([, r]) => r.Type === 'AWS::EventSchemas::Schema').map(([, s]) => s.Properties);
    const contracts = eventContracts('order-pipeline');
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual(ALL_DETAIL_TYPES.map((type) => `order-pipeline@${type}`).sort());
    for (const schema of schemas) {
      const contract = contracts.find(({ detailType }) => schema.SchemaName === `order-pipeline@${detailType}`)!;
      expect(schema.Type).toBe('JSONSchemaDraft4');
      expect(schema.RegistryName).toEqual(getAtt(registryId, 'RegistryName'));
      expect(JSON.parse(schema.Content)).toEqual(contract.registrySchema);
      expect(contract.registrySchema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    }
  });
});

describe('stream to publisher', () => {
  it('feeds only order and return inserts and modifications to the publisher, reporting per-item failures', () => {
    const [tableId] = onlyOfType('AWS::DynamoDB::Table');
    const [, mapping] = onlyOfType('AWS::Lambda::EventSourceMapping');
    const props = mapping.Properties;
    expect(props.FunctionName).toEqual(ref(functionId(PUBLISHER)));
    expect(props.EventSourceArn).toEqual(getAtt(tableId, 'StreamArn'));
    expect(props).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      ParallelizationFactor: 10,
    });
    const patterns = (props.FilterCriteria.Filters as Array<{ Pattern: string }>).map((f) => JSON.parse(f.Pattern));
    expect(patterns).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entityType: { S: ['Order', 'Return'] } } } },
    ]);
  });

  it('sends batches that exhaust their retries to an encrypted, TLS-only queue kept 14 days', () => {
    const [, mapping] = onlyOfType('AWS::Lambda::EventSourceMapping');
    const destination = mapping.Properties.DestinationConfig.OnFailure.Destination as { 'Fn::GetAtt': [string, string] };
    const queueId = destination['Fn::GetAtt'][0];
    expect(destination).toEqual(getAtt(queueId));
    expectEncryptedTlsOnlyQueue(queueId);
    // Lambda writes on-failure records with the function's role.
    expect(
      functionStatements(PUBLISHER).some(
        (s) => actionsOf([s]).includes('sqs:SendMessage') && JSON.stringify(s.Resource) === JSON.stringify(getAtt(queueId)),
      ),
    ).toBe(true);
  });
});

function expectEncryptedTlsOnlyQueue(queueId: string): void {
  const queue = resources[queueId]!;
  expect(queue.Type).toBe('AWS::SQS::Queue');
  expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  const statements = ofType('AWS::SQS::QueuePolicy')
    .filter(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([ref(queueId)]))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual(
    expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
  );
}

describe('fulfilment workflow', () => {
  const definitionFile = JSON.parse(readFileSync(join(REPO_ROOT, 'state-machines/fulfilment.asl.json'), 'utf8'));

  it('is an Express state machine logging errors without execution data, traced, timing out after 5 minutes', () => {
    const [, machine] = onlyOfType('AWS::StepFunctions::StateMachine');
    expect(machine.Properties.StateMachineType).toBe('EXPRESS');
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
    const logGroupArn = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
    expect(resources[logGroupArn['Fn::GetAtt'][0]]!.Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.parse(machine.Properties.DefinitionString).TimeoutSeconds).toBe(300);
  });

  it('deploys the definition file (plus the execution timeout), every placeholder substituted', () => {
    const [, machine] = onlyOfType('AWS::StepFunctions::StateMachine');
    const definitionString = machine.Properties.DefinitionString as string;
    expect(typeof definitionString, 'definition inline, not an S3 asset').toBe('string');
    expect(JSON.parse(definitionString)).toEqual({ ...definitionFile, TimeoutSeconds: 300 });
    const placeholders = new Set([...definitionString.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(machine.Properties.DefinitionSubstitutions).sort());
  });

  it('runs the right function in each Task state', () => {
    const [, machine] = onlyOfType('AWS::StepFunctions::StateMachine');
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    const states = JSON.parse(machine.Properties.DefinitionString).States as Record<string, any>;
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(Object.keys(TASKS).sort());
    for (const [name, state] of tasks) {
      const placeholder = /^\$\{(\w+)\}$/.exec(state.Resource)?.[1];
      expect(placeholder, `${name} Resource is a placeholder`).toBeDefined();
      expect(substitutions[placeholder!], name).toEqual(getAtt(functionId(TASKS[name]!)));
    }
  });

  it('may invoke exactly the seven step functions, unqualified', () => {
    const [, machine] = onlyOfType('AWS::StepFunctions::StateMachine');
    const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
    const invoke = roleStatements(ref(roleId)).filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    const invocable = invoke.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(invocable).toHaveLength(7);
    expect(invocable).toEqual(expect.arrayContaining(Object.values(TASKS).map((entry) => getAtt(functionId(entry)))));
  });

  it('gives step functions the table, a 20 s timeout, and the sandbox carrier to the shipment steps', () => {
    const [tableId] = onlyOfType('AWS::DynamoDB::Table');
    for (const [name, entry] of Object.entries(TASKS)) {
      const fn = resources[functionId(entry)]!.Properties;
      expect(fn.Timeout, name).toBe(20);
      expect(fn.Environment.Variables.ORDERS_TABLE_NAME, name).toEqual(ref(tableId));
      const carrier = ['RequestShipment', 'CancelShipment'].includes(name) ? 'sandbox' : undefined;
      expect(fn.Environment.Variables.CARRIER_MODE, name).toBe(carrier);
      expect(actionsOf(functionStatements(entry)), name).toEqual(expect.arrayContaining(WRITE_ACTIONS));
    }
  });

  it('starts for each placed order (one whose stock locks at payment only once it is authorized) and each authorization, retrying 8 times for up to an hour, then dead-lettering', () => {
    const [busId] = onlyOfType('AWS::Events::EventBus');
    const [machineId] = onlyOfType('AWS::StepFunctions::StateMachine');
    const [ruleId, rule] = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern['detail-type'].includes('OrderPaymentAuthorized'))!;
    expect(rule.Properties.EventBusName).toEqual(ref(busId));
    // Judged on the events the domain builds, so a pattern naming a field where the event has none fails here.
    const pattern = JSON.stringify(rule.Properties.EventPattern);
    const starts = (order: Order, source = 'order-pipeline') => {
      const detail = orderEventOf(order);
      const envelope = { id: '1', account: '123456789012', source, time: '2026-12-04T08:00:00Z', region: 'us-east-1', 'detail-type': detail.type, resources: [], detail };
      return testEventPattern(pattern, JSON.stringify(envelope));
    };
    const pending = (lockStockAt: 'placement' | 'payment') =>
      placeOrder(orderRequest({ payment: { status: 'pending', provider: 'alipay' } }), 'ord-p', T0, CHANNEL, { timeoutSeconds: 900, lockStockAt });
    const authorize = (order: Order) => decidePayment(order, { status: 'authorized', reference: 'pay_A1' }, T0, CHANNEL);
    expect(starts(placeOrder(orderRequest(), 'ord-1', T0, CHANNEL))).toBe(true);
    expect(starts(pending('placement'))).toBe(true);
    // Nothing to do for an order whose stock is locked when it is paid, until then.
    expect(starts(pending('payment'))).toBe(false);
    expect(starts(authorize(pending('payment')))).toBe(true);
    expect(starts(authorize(stockLockedAwaitingPayment(pending('placement'), T0, CHANNEL)))).toBe(true);
    expect(starts(placeOrder(orderRequest(), 'ord-1', T0, CHANNEL), 'someone-else')).toBe(false);
    // The rule must match what the publisher stamps on its events.
    expect(resources[functionId(PUBLISHER)]!.Properties.Environment.Variables.EVENT_SOURCE).toBe('order-pipeline');

    expect(rule.Properties.Targets).toHaveLength(1);
    const target = rule.Properties.Targets[0];
    expect(target.Arn).toEqual(ref(machineId));
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
    const queueId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expectEncryptedTlsOnlyQueue(queueId);
    // EventBridge needs the queue's permission to dead-letter, scoped to this rule.
    const allowEvents = ofType('AWS::SQS::QueuePolicy')
      .filter(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([ref(queueId)]))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Effect === 'Allow' && s.Principal?.Service === 'events.amazonaws.com');
    expect(allowEvents).toEqual([
      expect.objectContaining({ Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } } }),
    ]);
  });
});

describe('intake API', () => {
  it('is an HTTP API without CORS', () => {
    const [, api] = onlyOfType('AWS::ApiGatewayV2::Api');
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('accepts JWTs from the default issuer for the default audience, from the Authorization header', () => {
    const [, authorizer] = onlyOfType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://auth.order-pipeline.invalid', Audience: ['order-pipeline'] },
    });
  });

  it('takes issuer and audience from context', () => {
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'order-pipeline-stack-test-')),
      context: testContext({ 'orderPipeline:jwtIssuer': 'https://idp.example.com/pool-1', 'orderPipeline:jwtAudience': 'api-a, api-b' }),
    });
    outdirs.push(app.outdir);
    const custom = Template.fromStack(new OrderPipelineStack(app, 'OrderPipeline-ctx', { stage: 'ctx' }));
    custom.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://idp.example.com/pool-1', Audience: ['api-a', 'api-b'] },
    });
  });

  it('has exactly the contract\'s routes, each with its scope, served by its own function over payload 2.0', () => {
    const [authorizerId] = onlyOfType('AWS::ApiGatewayV2::Authorizer');
    const routes = ofType('AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [, route] of routes) {
      const key = route.Properties.RouteKey as string;
      const scopes = ROUTE_SCOPES[key];
      if (scopes === 'public') {
        expect(route.Properties.AuthorizationType, key).toBe('NONE');
      } else {
        expect(route.Properties, key).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: ref(authorizerId), AuthorizationScopes: scopes });
      }
      const [, [prefix, integrationRef]] = route.Properties.Target['Fn::Join'];
      expect(prefix).toBe('integrations/');
      const integration = resources[integrationRef.Ref]!.Properties;
      expect(integration, key).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(integration.IntegrationUri, key).toEqual(getAtt(functionId(ROUTES[key]!)));
    }
  });

  it('gives route handlers the table, writes only to the routes that change state, indexes only to listing and erasure', () => {
    const [tableId] = onlyOfType('AWS::DynamoDB::Table');
    for (const [key, entry] of Object.entries(ROUTES)) {
      const statements = functionStatements(entry);
      const actions = actionsOf(statements);
      if (NO_TABLE_ROUTES.includes(key)) {
        expect(resources[functionId(entry)]!.Properties.Environment.Variables.ORDERS_TABLE_NAME, key).toBeUndefined();
        expect(actions.filter((a) => a.startsWith('dynamodb:')), key).toEqual([]);
        continue;
      }
      expect(resources[functionId(entry)]!.Properties.Environment.Variables.ORDERS_TABLE_NAME, key).toEqual(ref(tableId));
      if (key.startsWith('GET ') || READ_ONLY_POSTS.includes(key)) expect(actions.filter((a) => WRITE_ACTIONS.includes(a)), key).toEqual([]);
      else expect(actions, key).toEqual(expect.arrayContaining(WRITE_ACTIONS));
      const indexResources = JSON.stringify(statements.map((s) => s.Resource)).match(/\/index\/\w+/g) ?? [];
      expect(indexResources.sort(), key).toEqual(INDEXES_READ[key] ?? []);
    }
  });

  it('lets only the carrier callback handler read the carrier secrets, through the secrets extension', () => {
    const [secretId, secret] = ofType('AWS::SecretsManager::Secret').find(([id]) => id.includes('CarrierWebhookSecrets'))!;
    expect(secret.Properties.SecretString).toBe('{}');
    const readers = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => JSON.stringify(functionStatements(handlerOf(fn))).includes(secretId))
      .map(([, fn]) => handlerOf(fn));
    expect(readers).toEqual(['functions/api/carrier-events.ts']);
    const statements = functionStatements('functions/api/carrier-events.ts').filter((s) => JSON.stringify(s.Resource).includes(secretId));
    expect(statements).toEqual([expect.objectContaining({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: ref(secretId) })]);
    const fn = resources[functionId('functions/api/carrier-events.ts')]!.Properties;
    expect(fn.Environment.Variables.CARRIER_WEBHOOK_SECRET_ID).toEqual(ref(secretId));
    const [{ 'Fn::FindInMap': [mapName, , version] }] = fn.Layers;
    const layerArns = Object.values(template.toJSON().Mappings[mapName]).map((byVersion: any) => byVersion[version]);
    expect(layerArns.length).toBeGreaterThan(10);
    for (const arn of layerArns) expect(arn).toMatch(/:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/);
  });

  it('generates the cursor signing key and lets only the list handler read it, through the secrets extension', () => {
    const [secretId, secret] = ofType('AWS::SecretsManager::Secret').find(([id]) => id.includes('CursorSigningKey'))!;
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(secret.Properties.SecretString).toBeUndefined();
    const readers = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => JSON.stringify(functionStatements(handlerOf(fn))).includes(secretId))
      .map(([, fn]) => handlerOf(fn));
    expect(readers).toEqual(['functions/api/list-orders.ts']);
    const fn = resources[functionId('functions/api/list-orders.ts')]!.Properties;
    expect(fn.Environment.Variables.CURSOR_SIGNING_KEY_SECRET_ID).toEqual(ref(secretId));
    expect(JSON.stringify(fn.Environment.Variables)).not.toContain('resolve:secretsmanager');
    expect(fn.Layers).toHaveLength(1);
  });

  it('logs every request as JSON and throttles at 2000 rps, bursts of 5000', () => {
    const [, stage] = onlyOfType('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 2000, ThrottlingBurstLimit: 5000 },
    });
    const destination = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[destination]!.Type).toBe('AWS::Logs::LogGroup');
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      channel: '$context.authorizer.claims.channel',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
    });
  });
});

describe('functions', () => {
  const allEntries = [...Object.values(ROUTES), ...Object.values(TASKS), PUBLISHER, RECONCILER, ...TIMERS];

  it('are exactly the pipeline handlers (no hidden helper functions)', () => {
    const entries = ofType('AWS::Lambda::Function').map(([, r]) => handlerOf(r));
    expect(entries.sort()).toEqual([...allEntries].sort());
  });

  it('run Node 24 on arm64 with active tracing and JSON logs in their own log group', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref]!;
      expect(logGroup.Type, id).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays, id).toBe(30);
    }
  });

  it('carry the Powertools and stage environment', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: expect.any(String),
        POWERTOOLS_METRICS_NAMESPACE: 'OrderPipeline',
        // The workflow's steps log warnings and errors only: their INFO line repeated the order's own history.
        POWERTOOLS_LOG_LEVEL: id.startsWith('Fulfilment') ? 'WARN' : 'INFO',
        STAGE: 'test',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('use roles without AWS managed policies', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const firstOccurrence = {
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Period: 60,
    TreatMissingData: 'notBreaching',
  };

  it('fire on the first message in every dead-letter queue', () => {
    const queues = ofType('AWS::SQS::Queue').map(([id]) => id);
    // The publisher's, the OrderPlaced rule's and the order timers rule's.
    expect(queues).toHaveLength(3);
    for (const queueId of queues) {
      const matching = alarms().filter(
        (a) =>
          a.Namespace === 'AWS/SQS' &&
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }]),
      );
      expect(matching, queueId).toHaveLength(1);
      expect(matching[0], queueId).toMatchObject(firstOccurrence);
    }
  });

  it('fire on the first failed or timed-out fulfilment execution', () => {
    const [machineId] = onlyOfType('AWS::StepFunctions::StateMachine');
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const matching = alarms().filter(
        (a) =>
          a.Namespace === 'AWS/States' &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'StateMachineArn', Value: ref(machineId) }]),
      );
      expect(matching, metric).toHaveLength(1);
      expect(matching[0], metric).toMatchObject(firstOccurrence);
    }
  });

  it('notify a TLS-only topic encrypted with a rotating key CloudWatch may use', () => {
    const [topicId, topic] = onlyOfType('AWS::SNS::Topic');
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([ref(topicId)]);
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resources[keyId]!.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
      }),
    );
    const [, policy] = onlyOfType('AWS::SNS::TopicPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
      ]),
    );
  });
});

describe('outputs', () => {
  it('name the API URL, bus, archive, state machine and table', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const [apiId] = onlyOfType('AWS::ApiGatewayV2::Api');
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(apiId);
    expect(outputs.EventBusName?.Value).toEqual(ref(onlyOfType('AWS::Events::EventBus')[0]));
    expect(outputs.EventArchiveArn?.Value).toEqual(getAtt(onlyOfType('AWS::Events::Archive')[0]));
    expect(outputs.StateMachineArn?.Value).toEqual(ref(onlyOfType('AWS::StepFunctions::StateMachine')[0]));
    expect(outputs.OrdersTableName?.Value).toEqual(ref(onlyOfType('AWS::DynamoDB::Table')[0]));
  });
});
