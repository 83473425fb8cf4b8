/**
 * Rules that CloudFormation or the services behind it enforce when the stack is created, and
 * that `cdk synth` does not check. A template that breaks one of them synthesizes cleanly and
 * then fails (or rolls back) in the middle of a deploy; here it fails a test instead.
 *
 * The stack is synthesized with the longest stage name the app accepts, the example partners and the
 * console hosted (every optional resource), so generated names are as long as they get. Each rule names its source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { loadPartners } from '../../lib/partners-config.ts';
import { DEFAULT_PARTNERS_FILE } from '../../lib/pipeline-context.ts';
import { compileEventPattern } from '../../packages/event-pattern/index.ts';
import { type CfnResource, REPO_ROOT, testContext } from './support.ts';

/** The longest stage the app accepts (`STAGE_PATTERN` in lib/order-pipeline-app.ts: 20 characters). */
const LONGEST_STAGE = 'a2345678901234567890';

let resources: Record<string, CfnResource>;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-deployable-'));
  const app = new App({ outdir, context: testContext({ 'orderPipeline:stage': LONGEST_STAGE, 'orderPipeline:hostConsole': true }) });
  const stack = new OrderPipelineStack(app, `OrderPipeline-${LONGEST_STAGE}`, {
    stage: LONGEST_STAGE,
    partners: loadPartners(join(REPO_ROOT, DEFAULT_PARTNERS_FILE)),
  });
  resources = Template.fromStack(stack).toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string): Array<[string, Record<string, any>]> =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);

/**
 * A rough length of a value once CloudFormation has resolved it: intrinsic functions are
 * counted as a typical ARN (they resolve to ARNs, names or ids of at most that length).
 */
const RESOLVED_TOKEN_LENGTH = 120;
function resolvedLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return RESOLVED_TOKEN_LENGTH;
  }
  return JSON.stringify(value).length;
}

describe('API Gateway HTTP API', () => {
  // "Authorization Scopes are only valid for COGNITO_USER_POOLS and JWT authorization types":
  // API Gateway refuses CreateRoute otherwise (AWS::ApiGatewayV2::Route AuthorizationScopes;
  // aws/aws-cdk PR #27576). CDK copies the API's default scopes onto routes that set none.
  it('puts authorization scopes only on routes with a JWT or Cognito authorizer', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    const offending = routes
      .filter(([, p]) => !['JWT', 'COGNITO_USER_POOLS'].includes(p.AuthorizationType) && p.AuthorizationScopes !== undefined)
      .map(([, p]) => `${p.RouteKey} (${p.AuthorizationType} with ${JSON.stringify(p.AuthorizationScopes)})`);
    expect(offending).toEqual([]);
  });

  // A JWT route needs an AuthorizerId of a JWT authorizer on the same API (CreateRoute:
  // "AuthorizerId is required for JWT"); the authorizer needs an issuer and at least one audience
  // (CreateAuthorizer, JWTConfiguration).
  it('gives every JWT route a JWT authorizer of its API with an https issuer and an audience', () => {
    const authorizers = new Map(ofType('AWS::ApiGatewayV2::Authorizer'));
    for (const [, route] of ofType('AWS::ApiGatewayV2::Route').filter(([, p]) => p.AuthorizationType === 'JWT')) {
      const authorizer = authorizers.get(route.AuthorizerId?.Ref);
      expect(authorizer, route.RouteKey).toBeDefined();
      expect(authorizer!.AuthorizerType).toBe('JWT');
      expect(authorizer!.ApiId).toEqual(route.ApiId);
      expect(authorizer!.JwtConfiguration.Issuer).toMatch(/^https:\/\//);
      expect(authorizer!.JwtConfiguration.Audience.length).toBeGreaterThan(0);
    }
  });

  // Route keys are unique per API (CreateRoute: ConflictException).
  it('has each route key once', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, p]) => p.RouteKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Step Functions', () => {
  // Express workflows support neither the .sync nor the .waitForTaskToken integration patterns,
  // nor Distributed Map (Step Functions Developer Guide, "Choosing workflow type"; CreateStateMachine
  // answers InvalidDefinition).
  it('uses no integration pattern or Map mode an Express workflow refuses', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine').filter(([, p]) => p.StateMachineType === 'EXPRESS');
    expect(machines.length).toBeGreaterThan(0);
    for (const [id, machine] of machines) {
      const definition = JSON.stringify(machine.DefinitionString);
      expect(definition, id).not.toMatch(/\.sync(:2)?"|\.waitForTaskToken/);
      expect(definition, id).not.toMatch(/"Mode"\s*:\s*"DISTRIBUTED"/);
    }
  });

  // Logging needs exactly one CloudWatch Logs destination whose ARN ends in ":*"
  // (CreateStateMachine LoggingConfiguration; a log group's Fn::GetAtt Arn has that suffix), and
  // Express workflows without it keep no execution history at all.
  it('logs every Express workflow to one log group by its ":*" ARN', () => {
    for (const [id, machine] of ofType('AWS::StepFunctions::StateMachine')) {
      const destinations = machine.LoggingConfiguration?.Destinations ?? [];
      expect(destinations, id).toHaveLength(1);
      const arn = destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
      const logGroupId = arn?.['Fn::GetAtt']?.[0];
      if (logGroupId) {
        expect(resources[logGroupId]?.Type, id).toBe('AWS::Logs::LogGroup');
        expect(arn['Fn::GetAtt'][1]).toBe('Arn');
      } else {
        expect(arn, id).toMatch(/:\*$/);
      }
    }
  });

  // StateMachineName: 1-80 characters (CreateStateMachine).
  it('names state machines within 80 characters', () => {
    for (const [, machine] of ofType('AWS::StepFunctions::StateMachine')) {
      if (machine.StateMachineName) expect(resolvedLength(machine.StateMachineName)).toBeLessThanOrEqual(80);
    }
  });
});

describe('EventBridge', () => {
  const rules = () => ofType('AWS::Events::Rule');

  // PutTargets: at most 5 targets per rule; Id 1-64 of [.-_A-Za-z0-9]; RetryPolicy
  // MaximumRetryAttempts 0-185 and MaximumEventAgeInSeconds 60-86400.
  it('keeps targets and their retry policies within what PutTargets accepts', () => {
    for (const [id, rule] of rules()) {
      expect(rule.Targets.length, id).toBeLessThanOrEqual(5);
      for (const target of rule.Targets) {
        expect(target.Id, id).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
        const retry = target.RetryPolicy;
        if (retry?.MaximumRetryAttempts !== undefined) {
          expect(retry.MaximumRetryAttempts, id).toBeGreaterThanOrEqual(0);
          expect(retry.MaximumRetryAttempts, id).toBeLessThanOrEqual(185);
        }
        if (retry?.MaximumEventAgeInSeconds !== undefined) {
          expect(retry.MaximumEventAgeInSeconds, id).toBeGreaterThanOrEqual(60);
          expect(retry.MaximumEventAgeInSeconds, id).toBeLessThanOrEqual(86_400);
        }
      }
    }
  });

  // PutRule: Name 1-64 of [.-_A-Za-z0-9]; EventPattern at most 4096 characters and valid, else
  // InvalidEventPatternException (checked with the matcher that follows AWS's semantics).
  it('names rules within 64 characters and gives them patterns EventBridge accepts', () => {
    expect(rules().length).toBeGreaterThan(1);
    for (const [id, rule] of rules()) {
      if (rule.Name) expect(rule.Name, id).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
      const pattern = JSON.stringify(rule.EventPattern);
      expect(pattern.length, id).toBeLessThanOrEqual(4096);
      expect(() => compileEventPattern(pattern), id).not.toThrow();
    }
  });

  // CreateConnection / CreateApiDestination / CreatePipe: names 1-64 characters.
  it('names connections, API destinations and pipes within 64 characters', () => {
    for (const type of ['AWS::Events::Connection', 'AWS::Events::ApiDestination', 'AWS::Pipes::Pipe']) {
      for (const [id, props] of ofType(type)) {
        if (props.Name) expect(resolvedLength(props.Name), id).toBeLessThanOrEqual(64);
      }
    }
  });
});

describe('DynamoDB', () => {
  // CloudFormation refuses a table whose AttributeDefinitions hold an attribute no key schema
  // uses, or lack one that a key schema uses ("Number of attributes in KeySchema does not exactly
  // match number of attributes defined in AttributeDefinitions"); key attributes are S, N or B;
  // at most 20 GSIs per table (DynamoDB service quotas); a KEYS_ONLY or ALL projection takes no
  // NonKeyAttributes.
  it('defines exactly the key attributes, with scalar types, and valid index projections', () => {
    for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
      const indexes = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])];
      expect(table.GlobalSecondaryIndexes?.length ?? 0, id).toBeLessThanOrEqual(20);
      const keyAttributes = new Set(
        [table.KeySchema, ...indexes.map((index: any) => index.KeySchema)].flat().map((key: any) => key.AttributeName),
      );
      const defined = new Map((table.AttributeDefinitions as any[]).map((a) => [a.AttributeName, a.AttributeType]));
      expect([...defined.keys()].sort(), id).toEqual([...keyAttributes].sort());
      for (const type of defined.values()) expect(['S', 'N', 'B'], id).toContain(type);
      for (const index of indexes) {
        if (index.Projection.ProjectionType !== 'INCLUDE') expect(index.Projection.NonKeyAttributes, index.IndexName).toBeUndefined();
      }
    }
  });
});

describe('Lambda', () => {
  const functions = () => ofType('AWS::Lambda::Function');

  // Lambda keeps at least 100 of the account's concurrency unreserved; with the default quota of
  // 1,000 the functions of a stack can reserve 900 in all, and PutFunctionConcurrency (or the
  // create) fails beyond that ("decreases account's UnreservedConcurrentExecution below its
  // minimum value"). New accounts may have a lower quota: see docs/capacity.md.
  it('reserves no more concurrency than a default account can give', () => {
    const reserved = functions().reduce((sum, [, fn]) => sum + (fn.ReservedConcurrentExecutions ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(900);
  });

  // CreateFunction: Timeout 1-900 s, MemorySize 128-10240 MB, environment variables 4 KB in all.
  it('keeps timeouts, memory and environments within what CreateFunction accepts', () => {
    for (const [id, fn] of functions()) {
      expect(fn.Timeout ?? 3, id).toBeGreaterThanOrEqual(1);
      expect(fn.Timeout ?? 3, id).toBeLessThanOrEqual(900);
      expect(fn.MemorySize ?? 128, id).toBeGreaterThanOrEqual(128);
      expect(fn.MemorySize ?? 128, id).toBeLessThanOrEqual(10_240);
      const variables = Object.entries(fn.Environment?.Variables ?? {});
      const size = variables.reduce((sum, [name, value]) => sum + name.length + resolvedLength(value), 0);
      expect(size, id).toBeLessThanOrEqual(4096);
      if (fn.FunctionName) expect(resolvedLength(fn.FunctionName), id).toBeLessThanOrEqual(64);
    }
  });

  // CreateEventSourceMapping for a stream: MaximumRetryAttempts -1..10000, MaximumRecordAgeInSeconds
  // -1 or 60..604800, ParallelizationFactor 1..10, BatchSize 1..10000, at most 5 filters of at
  // most 4096 characters each (Lambda event filtering quotas).
  it('keeps stream event source mappings within what Lambda accepts', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const [id, m] of mappings) {
      if (m.MaximumRetryAttempts !== undefined) expect(m.MaximumRetryAttempts, id).toBeGreaterThanOrEqual(-1);
      if (m.MaximumRetryAttempts !== undefined) expect(m.MaximumRetryAttempts, id).toBeLessThanOrEqual(10_000);
      const age = m.MaximumRecordAgeInSeconds;
      if (age !== undefined) expect(age === -1 || (age >= 60 && age <= 604_800), `${id} record age ${age}`).toBe(true);
      expect(m.ParallelizationFactor ?? 1, id).toBeGreaterThanOrEqual(1);
      expect(m.ParallelizationFactor ?? 1, id).toBeLessThanOrEqual(10);
      expect(m.BatchSize ?? 100, id).toBeLessThanOrEqual(10_000);
      const filters = m.FilterCriteria?.Filters ?? [];
      expect(filters.length, id).toBeLessThanOrEqual(5);
      for (const filter of filters) expect(filter.Pattern.length, id).toBeLessThanOrEqual(4096);
    }
  });
});

describe('SQS', () => {
  // CreateQueue: QueueName 1-80 of [A-Za-z0-9_-]; MessageRetentionPeriod 60-1209600;
  // VisibilityTimeout 0-43200; a redrive policy's maxReceiveCount 1-1000.
  it('keeps queue names and settings within what CreateQueue accepts', () => {
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      if (typeof queue.QueueName === 'string') expect(queue.QueueName, id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      expect(queue.MessageRetentionPeriod ?? 345_600, id).toBeGreaterThanOrEqual(60);
      expect(queue.MessageRetentionPeriod ?? 345_600, id).toBeLessThanOrEqual(1_209_600);
      expect(queue.VisibilityTimeout ?? 30, id).toBeLessThanOrEqual(43_200);
      const maxReceiveCount = queue.RedrivePolicy?.maxReceiveCount;
      if (maxReceiveCount !== undefined) expect(maxReceiveCount >= 1 && maxReceiveCount <= 1000, id).toBe(true);
    }
  });
});

describe('CloudWatch', () => {
  // PutMetricAlarm: Period is 10, 20, 30 or a multiple of 60; Period x EvaluationPeriods at most
  // one day for periods under an hour (at most 7 days otherwise).
  it('gives alarms periods and evaluation ranges that PutMetricAlarm accepts', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      const periods: number[] = alarm.Period !== undefined ? [alarm.Period] : (alarm.Metrics ?? []).flatMap((m: any) => m.MetricStat?.Period ?? []);
      for (const period of periods) {
        expect([10, 20, 30].includes(period) || period % 60 === 0, `${id} period ${period}`).toBe(true);
        const range = period * alarm.EvaluationPeriods;
        expect(range, id).toBeLessThanOrEqual(period < 3600 ? 86_400 : 604_800);
      }
    }
  });

  // PutRetentionPolicy takes only these values.
  it('keeps log retention to the values CloudWatch Logs accepts', () => {
    const allowed = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
    for (const [id, group] of ofType('AWS::Logs::LogGroup')) {
      if (group.RetentionInDays !== undefined) expect(allowed, id).toContain(group.RetentionInDays);
      if (typeof group.LogGroupName === 'string') expect(group.LogGroupName.length, id).toBeLessThanOrEqual(512);
    }
  });
});

describe('IAM and KMS', () => {
  // IAM: the inline policies of one role add up to at most 10,240 characters (whitespace not
  // counted), else PutRolePolicy fails with LimitExceeded ("Maximum policy size of 10240 bytes").
  it('keeps each role inline policies under the 10,240-character quota', () => {
    const byRole = new Map<string, number>();
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const size = JSON.stringify(policy.PolicyDocument, (_key, value) =>
        value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::'))
          ? 'x'.repeat(RESOLVED_TOKEN_LENGTH)
          : value,
      ).length;
      for (const role of policy.Roles) byRole.set(JSON.stringify(role), (byRole.get(JSON.stringify(role)) ?? 0) + size);
    }
    expect(byRole.size).toBeGreaterThan(0);
    for (const [role, size] of byRole) expect(size, role).toBeLessThanOrEqual(10_240);
  });

  // KMS refuses a key policy that would lock the caller out of it (CreateKey/PutKeyPolicy
  // MalformedPolicyDocumentException unless BypassPolicyLockoutSafetyCheck): the account itself
  // must be allowed to administer the key.
  it('lets the account administer every KMS key', () => {
    const keys = ofType('AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const [id, key] of keys) {
      expect(key.BypassPolicyLockoutSafetyCheck, id).not.toBe(true);
      const statements = key.KeyPolicy.Statement as any[];
      const admin = statements.find(
        (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes(':root') && [s.Action].flat().includes('kms:*'),
      );
      expect(admin, id).toBeDefined();
    }
  });
});
