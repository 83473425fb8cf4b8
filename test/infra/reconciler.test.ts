/**
 * The self-healing part of the stack: the reconciler's schedule, its least-privilege access,
 * the sparse index it reads and the alarms on what it reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { type CfnResource, testContext } from './support.ts';

let resources: Record<string, CfnResource>;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-reconciler-'));
  const stack = new OrderPipelineStack(new App({ outdir, context: testContext() }), 'OrderPipeline-test', { stage: 'test' });
  resources = Template.fromStack(stack).toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const reconcilerId = () =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['order-pipeline:entry'] === 'functions/reconciler/reconcile-overdue-orders.ts')![0];
const statementsOf = (roleLogicalId: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);

describe('reconciler', () => {
  it('runs every minute from an EventBridge Scheduler schedule, without retries', () => {
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0]!;
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [reconcilerId(), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
  });

  it('reads and writes order items, and stock and capacity for a payment timeout, queries only its index and starts only the fulfilment workflow', () => {
    const fn = resources[reconcilerId()]!;
    const statements = statementsOf(fn.Properties.Role['Fn::GetAtt'][0]).filter((s) => !/^(xray|logs):/.test(String(s.Action)));
    const [stateMachineId] = ofType('AWS::StepFunctions::StateMachine')[0]!;
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['dynamodb:PutItem', 'dynamodb:Query'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORDER#*'] } },
        }),
        expect.objectContaining({
          Action: 'dynamodb:Query',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byInFlightSince']] },
        }),
        expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: stateMachineId } }),
        // A payment timeout cancels the order and gives its stock back in one transaction.
        expect.objectContaining({
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORDER#*', 'SKU#*', 'CAPACITY#*'] } },
        }),
      ]),
    );
    expect(statements).toHaveLength(4);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      ORDER_DEADLINE_SECONDS: 'PLACED=120,STOCK_LOCKED=300,ROUTED=300',
      MAX_REDRIVES: '3',
      STATE_MACHINE_ARN: { Ref: stateMachineId },
    });
  });

  it('is alarmed when an order is 15 minutes overdue or re-driven again', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ MetricName: 'MaxOverdueSeconds', Namespace: 'OrderPipeline', Statistic: 'Maximum', Threshold: 900 }),
        expect.objectContaining({ MetricName: 'OrdersRedrivenAgain', Namespace: 'OrderPipeline', Statistic: 'Sum', Threshold: 1 }),
      ]),
    );
  });
});
