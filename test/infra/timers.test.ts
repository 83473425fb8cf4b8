/**
 * Order timers on EventBridge Scheduler (docs/decisions/0005-hold-window-and-timers.md): one schedule group per
 * stack, a rule from the events of orders that may need a timer, and least privilege: the scheduling
 * function creates and deletes schedules of that group only and passes only the scheduler's role, which may
 * invoke only the timer function.
 */
import { describe, expect, it } from 'vitest';
import { testStack } from '../support/test-cloud.ts';
import type { CfnResource } from './support.ts';

const { template } = await testStack();
const resources = template.Resources as Record<string, CfnResource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionOf = (entry: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['order-pipeline:entry'] === entry)!;
const statementsOf = (roleLogicalId: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
const [fireId, fire] = functionOf('functions/timers/fire-order-timer.ts');
const [, schedule] = functionOf('functions/timers/schedule-order-timers.ts');

describe('order timers', () => {
  it('have one schedule group, named after the stage, that the scheduling function is told', () => {
    const groups = ofType('AWS::Scheduler::ScheduleGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]![1].Properties.Name).toBe('order-pipeline-itest-timers');
    expect(schedule.Properties.Environment.Variables).toMatchObject({
      ORDER_TIMERS_GROUP: 'order-pipeline-itest-timers',
      ORDER_TIMERS_TARGET_ARN: { 'Fn::GetAtt': [fireId, 'Arn'] },
    });
  });

  it('are created from OrderHeld events, retried for an hour, then dead-lettered', () => {
    const [, rule] = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern['detail-type'].includes('OrderHeld'))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['order-pipeline'], 'detail-type': ['OrderHeld'] });
    expect(rule.Properties.Targets[0]).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: expect.anything() },
    });
  });

  it('are scheduled within the group only, passing only the scheduler role, to Scheduler only', () => {
    const statements = statementsOf(schedule.Properties.Role['Fn::GetAtt'][0]);
    const scheduling = statements.filter((s) => String(s.Action).startsWith('scheduler:') || (Array.isArray(s.Action) && s.Action.some((a: string) => a.startsWith('scheduler:'))));
    expect(scheduling).toEqual([
      expect.objectContaining({
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':schedule/order-pipeline-itest-timers/*'])] },
      }),
    ]);
    const passRole = statements.filter((s) => s.Action === 'iam:PassRole');
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: schedule.Properties.Environment.Variables.ORDER_TIMERS_ROLE_ARN,
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
  });

  it("let Scheduler's role, assumable by this account's schedules of the group only, invoke the timer function and nothing else", () => {
    const roleId = schedule.Properties.Environment.Variables.ORDER_TIMERS_ROLE_ARN['Fn::GetAtt'][0];
    const role = resources[roleId]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule-group/order-pipeline-itest-timers']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/order-pipeline-itest-timers/*']] },
            ],
          },
        },
      }),
    ]);
    const statements = statementsOf(roleId);
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [fireId, 'Arn'] }, expect.anything()] }),
    ]);
  });

  it('run with what a release and a payment timeout need: the table, the order, stock and capacity items, and the workflow', () => {
    expect(fire.Properties.Environment.Variables).toMatchObject({ ORDERS_TABLE_NAME: expect.anything(), STATE_MACHINE_ARN: expect.anything() });
    for (const roleId of [fire.Properties.Role['Fn::GetAtt'][0], schedule.Properties.Role['Fn::GetAtt'][0]]) {
      const table = statementsOf(roleId).find((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
      // A payment timeout reads the reservation (GetItem) and gives stock and capacity back (UpdateItem on SKU# and CAPACITY#).
      expect([table?.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(table?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(expect.arrayContaining(['ORDER#*', 'SKU#*', 'CAPACITY#*']));
    }
  });
});
