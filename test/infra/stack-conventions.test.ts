import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../local/cloud-assembly.ts';
import { createOrderPipelineApp } from '../../lib/order-pipeline-app.ts';
import { CONTEXT_KEYS } from '../../lib/pipeline-context.ts';
import { type CfnResource, REPO_ROOT, testContext } from './support.ts';

/** The contract: resources that hold data, kept on deletion when the stage retains data and removed otherwise. */
const DATA_RESOURCE_TYPES = ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key'];
/** Resources every stack has, which must carry the tags (a sample across services; the check covers all taggable ones). */
const TAGGED_SAMPLE = [
  'AWS::DynamoDB::Table',
  'AWS::Lambda::Function',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::StepFunctions::StateMachine',
  'AWS::ApiGatewayV2::Api',
];

interface ValidationReport {
  pluginReports: Array<{ violations: Array<{ severity: string; description: string }> }>;
}

interface Synthesized {
  stackName: string;
  resources: Record<string, CfnResource>;
  terminationProtection: boolean;
  warnings: string[];
}

const outdirs: string[] = [];
function synth(context: Record<string, unknown>): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-conventions-test-'));
  outdirs.push(outdir);
  const { app, stack } = createOrderPipelineApp({ outdir, context: testContext(context) });
  const artifact = app.synth().getStackByName(stack.stackName);
  return {
    stackName: stack.stackName,
    resources: artifact.template.Resources,
    terminationProtection: artifact.terminationProtection === true,
    // Warnings reach the user through the validation report (feature flag @aws-cdk/core:annotationsInValidationReport).
    warnings: (JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport).pluginReports
      .flatMap((report) => report.violations)
      .filter((violation) => violation.severity === 'warning')
      .map((violation) => violation.description),
  };
}

const dataResources = ({ resources }: Synthesized) =>
  Object.entries(resources).filter(([, r]) => DATA_RESOURCE_TYPES.includes(r.Type));
const tableOf = ({ resources }: Synthesized) => Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;

/** Tags as CloudFormation writes them: a list of Key/Value pairs for most types, a map for some (HTTP APIs). */
function tagsOf(resource: CfnResource): Record<string, unknown> | undefined {
  const tags = resource.Properties?.Tags as Array<{ Key: string; Value: unknown }> | Record<string, unknown> | undefined;
  if (tags === undefined) return undefined;
  return Array.isArray(tags) ? Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value])) : tags;
}

let staging: Synthesized;
let prodWithoutRetention: Synthesized;
let devWithRetention: Synthesized;
let legacyKeys: Synthesized;

beforeAll(() => {
  staging = synth({ 'orderPipeline:stage': 'staging' });
  prodWithoutRetention = synth({ 'orderPipeline:stage': 'prod', 'orderPipeline:retainData': 'false' });
  // As the CLI passes it: `-c orderPipeline:retainData=true` arrives as a string.
  devWithRetention = synth({ 'orderPipeline:stage': 'dev', 'orderPipeline:retainData': 'true' });
  legacyKeys = synth({ stage: 'legacy', partners: 'test/fixtures/no-partners.json' });
}, 180_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('data retention', () => {
  it('is on by default for a stage not named dev or test: data kept, the table deletion-protected, the stack termination-protected', () => {
    expect(staging.stackName).toBe('OrderPipeline-staging');
    const data = dataResources(staging);
    expect(new Set(data.map(([, r]) => r.Type))).toEqual(new Set(DATA_RESOURCE_TYPES));
    for (const [id, resource] of data) {
      expect({ id, DeletionPolicy: resource.DeletionPolicy, UpdateReplacePolicy: resource.UpdateReplacePolicy }).toEqual({
        id,
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    expect(tableOf(staging).Properties.DeletionProtectionEnabled).toBe(true);
    expect(staging.terminationProtection).toBe(true);
  });

  it('follows orderPipeline:retainData, not the stage name: a stage named prod with retainData=false keeps nothing', () => {
    expect(prodWithoutRetention.stackName).toBe('OrderPipeline-prod');
    for (const [id, resource] of dataResources(prodWithoutRetention)) {
      expect({ id, DeletionPolicy: resource.DeletionPolicy }).toEqual({ id, DeletionPolicy: 'Delete' });
    }
    expect(tableOf(prodWithoutRetention).Properties.DeletionProtectionEnabled).not.toBe(true);
    expect(prodWithoutRetention.terminationProtection).toBe(false);
  });

  it('can be turned on for dev with -c orderPipeline:retainData=true', () => {
    for (const [id, resource] of dataResources(devWithRetention)) {
      expect({ id, DeletionPolicy: resource.DeletionPolicy }).toEqual({ id, DeletionPolicy: 'Retain' });
    }
    expect(tableOf(devWithRetention).Properties.DeletionProtectionEnabled).toBe(true);
    expect(devWithRetention.terminationProtection).toBe(true);
  });

  it('is off in what the local cloud synthesizes, whatever its stage is called', () => {
    const { template } = synthesizeStack('local');
    const resources = Object.values(template.Resources as Record<string, CfnResource>);
    const table = resources.find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).not.toBe(true);
  });

  it('refuses a retainData that is not true or false', () => {
    expect(() => createOrderPipelineApp({ context: testContext({ 'orderPipeline:retainData': 'yes' }) })).toThrow(
      /orderPipeline:retainData.*true or false/,
    );
  });
});

describe('tags', () => {
  it('put project and stage on every taggable resource', () => {
    const { resources } = staging;
    for (const type of TAGGED_SAMPLE) {
      expect(Object.values(resources).some((r) => r.Type === type && tagsOf(r) !== undefined), `${type} is tagged`).toBe(true);
    }
    for (const [id, resource] of Object.entries(resources)) {
      const tags = tagsOf(resource);
      if (tags === undefined) continue;
      expect({ id, project: tags.project, stage: tags.stage }).toEqual({ id, project: 'order-pipeline', stage: 'staging' });
    }
  });
});

describe('context keys', () => {
  it('keep the old spellings working, each with a deprecation warning naming the new key', () => {
    expect(legacyKeys.stackName).toBe('OrderPipeline-legacy');
    expect(Object.values(legacyKeys.resources).some((r) => r.Type === 'AWS::Pipes::Pipe')).toBe(false);
    expect(legacyKeys.warnings.some((w) => w.includes('"stage"') && w.includes('orderPipeline:stage'))).toBe(true);
    expect(legacyKeys.warnings.some((w) => w.includes('"partners"') && w.includes('orderPipeline:partners'))).toBe(true);
  });

  it('refuse an old and a new spelling that disagree', () => {
    expect(() => createOrderPipelineApp({ context: testContext({ stage: 'prod', 'orderPipeline:stage': 'dev' }) })).toThrow(
      /orderPipeline:stage.*stage/,
    );
  });

  it('are all documented in the README table', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const { key } of Object.values(CONTEXT_KEYS)) expect(readme, key).toContain(`| \`${key}\` |`);
  });
});
