/**
 * Personal data in the synthesized stack: the key it is sealed under, who may seal and open
 * it, every table statement limited to the partitions its function touches, and no trace or
 * workflow log that could carry it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPipelineStack } from '../../lib/order-pipeline-stack.ts';
import { parsePartners } from '../../lib/partners-config.ts';
import { DATA_KEY_CONTEXT } from '../../functions/crypto/encryption-sdk-cipher.ts';
import { type CfnResource, REPO_ROOT, testContext } from './support.ts';

const partners = parsePartners({
  partners: [
    {
      name: 'labels',
      events: { 'detail-type': ['OrderRouted'] },
      target: { type: 'https', endpoint: 'https://labels.example/print', auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'partners/labels' } },
      retry: { maximumEventAgeSeconds: 600, maximumRetryAttempts: 4 },
      personalData: ['shipTo.phone', 'shipTo.line1'],
    },
    {
      name: 'crm',
      events: { 'detail-type': ['OrderPlaced'] },
      target: { type: 'https', endpoint: 'https://crm.example/orders', auth: { type: 'apiKey', headerName: 'x-api-key', secretName: 'partners/crm' } },
      retry: { maximumEventAgeSeconds: 600, maximumRetryAttempts: 4 },
      personalData: ['customer.id'],
    },
  ],
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let resources: Record<string, CfnResource>;
let outdir: string;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const actions = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
/** Each function's entry (or logical id) with the statements of its role. */
const functionStatements = (): Array<{ name: string; statements: Statement[] }> =>
  ofType('AWS::Lambda::Function').map(([id, fn]) => {
    const role = JSON.stringify({ Ref: (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0] });
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    return { name: String(fn.Metadata?.['order-pipeline:entry'] ?? id), statements };
  });
const allowing = (action: string) =>
  functionStatements()
    .filter(({ statements }) => statements.some((s) => s.Effect === 'Allow' && actions(s).includes(action)))
    .map(({ name }) => name)
    .sort();
const tableId = () => ofType('AWS::DynamoDB::Table').map(([id]) => id)[0];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-personal-data-'));
  const stack = new OrderPipelineStack(new App({ outdir, context: testContext() }), 'OrderPipeline-test', { stage: 'test', partners });
  resources = Template.fromStack(stack).toJSON().Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the personal-data key', () => {
  it('is a symmetric KMS key of the order store with yearly rotation', () => {
    const keys = ofType('AWS::KMS::Key').filter(([id]) => id.startsWith('OrderStorePersonalDataKey'));
    expect(keys).toHaveLength(1);
    expect(keys[0]![1].Properties).toMatchObject({ EnableKeyRotation: true });
    expect(keys[0]![1].Properties.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
  });

  it('lets only the functions where personal data enters generate data keys', () => {
    // The cancel seals the channel's note.
    expect(allowing('kms:GenerateDataKey')).toEqual(['functions/api/cancel-order.ts', 'functions/api/change-shipping-address.ts', 'functions/api/place-order.ts']);
  });

  it('lets only the owning channel\'s reads, the address change and the partner entitled to sealed fields decrypt', () => {
    expect(allowing('kms:Decrypt')).toEqual(['functions/api/change-shipping-address.ts', 'functions/api/get-order.ts', 'functions/partners/enrich-partner-event.ts']);
    const enrichments = functionStatements().filter(({ name }) => name === 'functions/partners/enrich-partner-event.ts');
    // Two enrichments: labels (sealed fields) decrypts, crm (the customer id only) does not.
    expect(enrichments).toHaveLength(2);
    expect(enrichments.filter(({ statements }) => statements.some((s) => actions(s).includes('kms:Decrypt')))).toHaveLength(1);
  });

  it('grants every use of the key for the personal-data purpose only, and names the key to exactly those functions', () => {
    const keyStatements = functionStatements().flatMap(({ statements }) => statements.filter((s) => actions(s).some((a) => a.startsWith('kms:'))));
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const statement of keyStatements) {
      expect(statement.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:purpose': DATA_KEY_CONTEXT.purpose } });
    }
    const withKey = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.PERSONAL_DATA_KEY_ARN)
      .map(([, fn]) => String(fn.Metadata?.['order-pipeline:entry']))
      .sort();
    expect(withKey).toEqual([
      'functions/api/cancel-order.ts',
      'functions/api/change-shipping-address.ts',
      'functions/api/get-order.ts',
      'functions/api/place-order.ts',
      'functions/partners/enrich-partner-event.ts',
    ]);
  });
});

describe('table statements', () => {
  it('limit every statement on the table\'s items to the partitions of the function (dynamodb:LeadingKeys)', () => {
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [tableId(), 'Arn'] });
    const onItems = functionStatements().flatMap(({ name, statements }) =>
      statements
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')) && JSON.stringify(s.Resource) === tableArn)
        .map((s) => ({ name, condition: s.Condition })),
    );
    expect(onItems.length).toBeGreaterThan(10);
    for (const { name, condition } of onItems) {
      const prefixes = condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      expect(prefixes, name).toBeInstanceOf(Array);
      for (const prefix of prefixes as string[]) expect(prefix, name).toMatch(/^[A-Z]+#\*$/);
    }
  });

  it('let the partner enrichment query one order partition, only the attributes holding its entitled fields', () => {
    const enrichmentReads = functionStatements()
      .filter(({ name }) => name === 'functions/partners/enrich-partner-event.ts')
      .map(({ statements }) => statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:'))));
    const conditions = enrichmentReads.map((statements) => {
      expect(statements).toHaveLength(1);
      expect(actions(statements[0]!)).toEqual(['dynamodb:Query']);
      return statements[0]!.Condition;
    });
    expect(conditions).toContainEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORDER#*'] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'shipTo', 'sealedDataKeys'] },
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    expect(conditions).toContainEqual(expect.objectContaining({ 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'customer'] } }));
  });

  it('let the list function query only the indexes it lists by', () => {
    const list = functionStatements().find(({ name }) => name === 'functions/api/list-orders.ts')!;
    const indexes = list.statements
      .filter((s) => actions(s).includes('dynamodb:Query'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .map((resource) => JSON.stringify(resource).match(/\/index\/(\w+)/)?.[1])
      .filter(Boolean)
      .sort();
    // byCustomer: operators list a customer's orders (issue 15).
    expect(indexes).toEqual(['byChannel', 'byChannelStatus', 'byCustomer']);
  });
});

describe('traces and workflow logs', () => {
  it('capture no handler response or error in a trace: the runtime traces the functions, no function imports a tracing SDK (ADR 0007)', () => {
    const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Metadata?.['order-pipeline:entry']);
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    const sources = readdirSync(join(REPO_ROOT, 'functions'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const tracing = sources.filter((file) => /from ['"](@aws-lambda-powertools\/tracer|aws-xray-sdk)/.test(readFileSync(join(REPO_ROOT, 'functions', file), 'utf8')));
    // A tracing SDK records what a handler answers unless told not to (POWERTOOLS_TRACER_CAPTURE_RESPONSE/_ERROR=false).
    expect(tracing).toEqual([]);
  });

  it('keep execution data (inputs and outputs) out of the workflow\'s logs', () => {
    for (const [, machine] of ofType('AWS::StepFunctions::StateMachine')) {
      expect(machine.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
    }
  });
});
