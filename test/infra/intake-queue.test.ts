/**
 * The storage-first intake (context `orderPipeline:orderIntake=queue`): an encrypted queue with a dead-letter queue,
 * a drainer whose pace is capped by its event source mapping, the place-order function allowed to send to that
 * queue only, and cdk-nag clean. Off by default.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderPipelineApp } from '../../lib/order-pipeline-app.ts';
import { type CfnResource, testContext } from './support.ts';

const STACK = 'OrderPipeline-dev';
const outdirs: string[] = [];

function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-intake-'));
  outdirs.push(outdir);
  createOrderPipelineApp({ outdir, context: testContext({ 'orderPipeline:stage': 'dev', ...context }) }).app.synth();
  const template = JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8')) as { Resources: Record<string, CfnResource> };
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  return { template, report };
}

const ofType = (resources: Record<string, CfnResource>, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const placeOrderFunction = (resources: Record<string, CfnResource>) =>
  ofType(resources, 'AWS::Lambda::Function').find(([id]) => id.startsWith('IntakeApiPlaceOrder'))!;

let queued: ReturnType<typeof synth>;
let direct: ReturnType<typeof synth>;

beforeAll(() => {
  queued = synth({ 'orderPipeline:orderIntake': 'queue', 'orderPipeline:intakeDrainConcurrency': 20 });
  direct = synth({});
}, 180_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('the storage-first intake', () => {
  it('is not there unless asked for: POST /orders writes directly', () => {
    expect(ofType(direct.template.Resources, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('IntakeQueue'))).toEqual([]);
    const [, fn] = placeOrderFunction(direct.template.Resources);
    expect(fn.Properties.Environment.Variables.ORDER_INTAKE_QUEUE_URL).toBeUndefined();
  });

  it('refuses a mode or a drain concurrency it does not know', () => {
    expect(() => createOrderPipelineApp({ context: testContext({ 'orderPipeline:orderIntake': 'kafka' }) })).toThrow(/orderIntake must be one of direct, queue/);
    expect(() => createOrderPipelineApp({ context: testContext({ 'orderPipeline:intakeDrainConcurrency': 1 }) })).toThrow(/from 2 to 1000/);
  });

  it('queues on an encrypted queue that keeps what the drainer cannot land in a dead-letter queue', () => {
    const queues = ofType(queued.template.Resources, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('IntakeQueue'));
    const [[queueId, queue]] = queues.filter(([, q]) => q.Properties.RedrivePolicy) as [[string, CfnResource]];
    expect(queues).toHaveLength(2);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    const [, fn] = placeOrderFunction(queued.template.Resources);
    expect(fn.Properties.Environment.Variables.ORDER_INTAKE_QUEUE_URL).toEqual({ Ref: queueId });
  });

  it('drains in batches of ten at a capped concurrency, reporting failed messages one by one', () => {
    const [[, mapping]] = ofType(queued.template.Resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn).includes('IntakeQueue'),
    ) as [[string, CfnResource]];
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the place-order function send to that queue and nothing else, and the drainer never decrypt', () => {
    const [placeOrderId] = placeOrderFunction(queued.template.Resources);
    const policies = ofType(queued.template.Resources, 'AWS::IAM::Policy');
    const statementsOf = (prefix: string) =>
      policies
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const sqs = statementsOf(placeOrderId.replace(/[0-9A-F]{8}$/, '')).filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect([sqs[0]!.Action].flat().sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    const [[queueId]] = ofType(queued.template.Resources, 'AWS::SQS::Queue').filter(([id, q]) => id.startsWith('IntakeQueue') && q.Properties.RedrivePolicy);
    expect(sqs[0]!.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    const drainer = statementsOf('IntakeQueueDrainer');
    expect(drainer.length).toBeGreaterThan(0);
    expect(drainer.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('leaves the place-order function no table write once the drainer lands its orders, and the direct path its writes', () => {
    const tableActionsOf = ({ template }: ReturnType<typeof synth>) => {
      const [placeOrderId] = placeOrderFunction(template.Resources);
      const role = placeOrderId.replace(/[0-9A-F]{8}$/, '');
      return ofType(template.Resources, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
        .flatMap((s) => [s.Action].flat())
        .filter((action) => action.startsWith('dynamodb:'));
    };
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    expect(tableActionsOf(queued).filter((action) => writes.includes(action))).toEqual([]);
    expect(tableActionsOf(queued)).toContain('dynamodb:GetItem');
    expect(tableActionsOf(direct)).toContain('dynamodb:PutItem');
  });

  it('synthesizes with no open cdk-nag finding', () => {
    const open = queued.report.pluginReports.flatMap((r) =>
      r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${r.pluginName} ${v.ruleName} @ ${c.constructPath}`)),
    );
    expect(open).toEqual([]);
  });
});
