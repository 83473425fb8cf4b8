import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { parsePartners } from '../../lib/partners-config.ts';
import { type CfnResource, getAtt, testContext } from './support.ts';

const ERP_BUS = 'arn:aws:events:eu-west-1:111122223333:event-bus/erp-orders';
const partners = parsePartners({
  partners: [
    {
      name: 'wms',
      events: { 'detail-type': ['OrderRouted'], detail: { data: { route: { parcels: { warehouseId: ['wh-shanghai'] } } } } },
      target: {
        type: 'https',
        endpoint: 'https://wms.example/hooks',
        rateLimitPerSecond: 20,
        auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'partners/wms' },
      },
      retry: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 24 },
    },
    {
      name: 'labels',
      events: { 'detail-type': ['OrderRouted'] },
      target: {
        type: 'https',
        endpoint: 'https://labels.example/print',
        auth: { type: 'oauthClientCredentials', tokenEndpoint: 'https://auth.labels.example/token', scope: 'print', secretName: 'partners/labels' },
      },
      retry: { maximumEventAgeSeconds: 600, maximumRetryAttempts: 4 },
      personalData: ['shipTo.phone', 'shipTo.line1'],
    },
    {
      name: 'erp',
      events: { 'detail-type': ['OrderShipmentRequested', 'OrderCancelled'] },
      target: { type: 'eventBus', eventBusArn: ERP_BUS },
      retry: { maximumEventAgeSeconds: 86400, maximumRetryAttempts: 185 },
    },
  ],
});

let resources: Record<string, CfnResource>;
let outdir: string;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const rule = (name: string) => ofType('AWS::Events::Rule').find(([, r]) => r.Properties.Name === `partner-${name}`)!;
const queueNamed = (name: string) => ofType('AWS::SQS::Queue').find(([, r]) => r.Properties.QueueName === name)!;
const statementsOf = (roleId: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-partners-infra-'));
  const stack = new OrderPipelineStack(new App({ outdir, context: testContext() }), 'OrderPipeline-test', { stage: 'test', partners });
  resources = Template.fromStack(stack).toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('partner subscriptions', () => {
  it('are one rule per partner on the order bus, with the partner\'s pattern restricted to order events', () => {
    expect(ofType('AWS::Events::Rule').map(([, r]) => r.Properties.Name).filter(Boolean).sort()).toEqual([
      'partner-erp',
      'partner-labels',
      'partner-wms',
    ]);
    const [, wms] = rule('wms');
    const bus = ofType('AWS::Events::EventBus')[0]![0];
    expect(wms.Properties.EventBusName).toEqual({ Ref: bus });
    expect(wms.Properties.EventPattern).toEqual({
      'detail-type': ['OrderRouted'],
      detail: { data: { route: { parcels: { warehouseId: ['wh-shanghai'] } } } },
      source: ['order-pipeline'],
    });
  });

  it('call an HTTPS partner through an API destination whose connection reads the credentials from Secrets Manager', () => {
    const [, wms] = rule('wms');
    const [target] = wms.Properties.Targets;
    const [destinationId, destination] = ofType('AWS::Events::ApiDestination').find(
      ([, d]) => d.Properties.InvocationEndpoint === 'https://wms.example/hooks',
    )!;
    expect(target.Arn).toEqual(getAtt(destinationId));
    expect(destination.Properties).toMatchObject({ HttpMethod: 'POST', InvocationRateLimitPerSecond: 20 });
    const connection = resources[(destination.Properties.ConnectionArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]]!;
    expect(connection.Properties).toMatchObject({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'x-api-key',
          ApiKeyValue: '{{resolve:secretsmanager:partners/wms:SecretString:apiKey::}}',
        },
      },
    });
    expect(target).toMatchObject({ RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 24 } });
    expect(target.DeadLetterConfig.Arn).toEqual(getAtt(queueNamed('order-pipeline-test-partner-wms-dlq')[0]));
    // The rule's role may invoke this destination only.
    const roleId = (target.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(statementsOf(roleId)).toEqual([{ Effect: 'Allow', Action: 'events:InvokeApiDestination', Resource: getAtt(destinationId) }]);
  });

  it('put another account\'s bus as the target, with the retry policy and a DLQ', () => {
    const [, erp] = rule('erp');
    expect(erp.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: ERP_BUS,
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: getAtt(queueNamed('order-pipeline-test-partner-erp-dlq')[0]) },
      }),
    ]);
    const roleId = (erp.Properties.Targets[0].RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(statementsOf(roleId)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: ERP_BUS }]);
  });

  it('enrich an entitled partner\'s events in a pipe off the bus: rule → queue → enrichment → API destination', () => {
    const [, labels] = rule('labels');
    const [queueId, queue] = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('PartnerslabelsEnrichmentQueue'))!;
    const [dlqId] = queueNamed('order-pipeline-test-partner-labels-dlq');
    expect(labels.Properties.Targets[0].Arn).toEqual(getAtt(queueId));
    // The partner's retry policy, carried by the queue: 1 + 4 receipts, kept as long as the maximum event age.
    expect(queue.Properties).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount: 5 },
      MessageRetentionPeriod: 600,
      SqsManagedSseEnabled: true,
    });
    const [, pipe] = ofType('AWS::Pipes::Pipe')[0]!;
    const [destinationId] = ofType('AWS::Events::ApiDestination').find(([, d]) => d.Properties.InvocationEndpoint === 'https://labels.example/print')!;
    const [functionId, fn] = ofType('AWS::Lambda::Function').find(([, f]) => f.Metadata?.['order-pipeline:entry'] === 'functions/partners/enrich-partner-event.ts')!;
    expect(pipe.Properties).toMatchObject({
      Source: getAtt(queueId),
      SourceParameters: { SqsQueueParameters: { BatchSize: 1 } },
      Enrichment: getAtt(functionId),
      Target: getAtt(destinationId),
    });
    expect(fn.Properties.Environment.Variables.PERSONAL_DATA_FIELDS).toBe('shipTo.phone,shipTo.line1');
    const table = ofType('AWS::DynamoDB::Table')[0]![0];
    const fnRole = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(statementsOf(fnRole).filter((s: { Action: string }) => String(s.Action).startsWith('dynamodb:'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: getAtt(table),
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORDER#*'] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'shipTo', 'sealedDataKeys'] },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      },
    ]);
    const pipeRole = (pipe.Properties.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(statementsOf(pipeRole)).toEqual([
      { Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], Resource: getAtt(queueId) },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(functionId) },
      { Effect: 'Allow', Action: 'events:InvokeApiDestination', Resource: getAtt(destinationId) },
    ]);
    const connection = ofType('AWS::Events::Connection').find(([, c]) => c.Properties.AuthorizationType === 'OAUTH_CLIENT_CREDENTIALS')![1];
    expect(connection.Properties.AuthParameters.OAuthParameters).toMatchObject({
      AuthorizationEndpoint: 'https://auth.labels.example/token',
      ClientParameters: {
        ClientID: '{{resolve:secretsmanager:partners/labels:SecretString:clientId::}}',
        ClientSecret: '{{resolve:secretsmanager:partners/labels:SecretString:clientSecret::}}',
      },
    });
  });

  it('give no other partner an enrichment, and keep every secret value out of the template', () => {
    expect(ofType('AWS::Pipes::Pipe')).toHaveLength(1);
    expect(JSON.stringify(resources)).not.toMatch(/"(ApiKeyValue|Password|ClientSecret)":"(?!\{\{resolve:secretsmanager:)/);
  });

  it('keep each partner\'s dead letters in its own encrypted, TLS-only queue with an alarm on the first message', () => {
    for (const name of ['wms', 'labels', 'erp']) {
      const [queueId, queue] = queueNamed(`order-pipeline-test-partner-${name}-dlq`);
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]))![1];
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      const alarm = ofType('AWS::CloudWatch::Alarm').find(([, a]) =>
        JSON.stringify(a.Properties.Dimensions ?? []).includes(JSON.stringify(getAtt(queueId, 'QueueName'))),
      );
      expect(alarm?.[1].Properties, `alarm on ${name}'s DLQ`).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
    }
  });
});
