/**
 * The step table against the definition: every Task state of `state-machines/fulfilment.asl.json`
 * has its handler, exported under the state's name from `functions/workflow/fulfilment-steps.ts`
 * (the export its function's handler string names), and nothing else is exported there.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as steps from '../../functions/workflow/fulfilment-steps.ts';
import { type AslDefinition, stepsOf } from '../../lib/fulfilment-workflow.ts';
import { REPO_ROOT, singleExportEntry } from '../../lib/pipeline-function.ts';
import { readFunctions } from '../../local/topology/functions.ts';
import { Names } from '../../local/topology/names.ts';

const definition = JSON.parse(readFileSync(new URL('../../state-machines/fulfilment.asl.json', import.meta.url), 'utf8')) as AslDefinition;

describe('the step table', () => {
  it('exports one handler per Task state of the definition, under its name, and nothing else', () => {
    expect(stepsOf(definition)).toEqual([
      'LockStock',
      'RouteOrder',
      'RequestShipment',
      'CancelShipment',
      'ReleaseAllocation',
      'ReleaseStock',
      'CloseOrder',
    ]);
    expect(Object.keys(steps).sort()).toEqual(stepsOf(definition).sort());
    for (const [name, handler] of Object.entries(steps)) expect(typeof handler, name).toBe('function');
  });
});

describe("a step's bundle", () => {
  it('starts from an entry that re-exports only its own handler, under the same name, from the step table', () => {
    const entry = singleExportEntry('functions/workflow/fulfilment-steps.ts', 'RouteOrder');
    expect(relative(REPO_ROOT, entry)).toBe('node_modules/.cache/order-pipeline/entries/functions-workflow-fulfilment-steps-RouteOrder.ts');
    expect(readFileSync(entry, 'utf8')).toBe(`export { RouteOrder } from ${JSON.stringify(`${REPO_ROOT}functions/workflow/fulfilment-steps.ts`)};\n`);
  });

  it('can leave out the other steps: every handler construction in the table is marked pure', () => {
    const table = readFileSync(new URL('../../functions/workflow/fulfilment-steps.ts', import.meta.url), 'utf8');
    const exported = [...table.matchAll(/^export const (\w+) = (.*)$/gm)];
    expect(exported.map(([, name]) => name)).toEqual(stepsOf(definition));
    for (const [, name, construction] of exported) expect(construction, name).toMatch(/^\/\* @__PURE__ \*\/ stepHandler\(/);
  });
});

describe('stepsOf', () => {
  it('refuses a Task that does not invoke the function named after it', () => {
    const misnamed: AslDefinition = { States: { LockStock: { Type: 'Task', Resource: '${RouteOrderFunctionArn}' } } };
    expect(() => stepsOf(misnamed)).toThrow('Task LockStock invokes ${RouteOrderFunctionArn}, expected ${LockStockFunctionArn}');
  });

  it('leaves out states that are not Tasks', () => {
    const definition: AslDefinition = {
      States: { Start: { Type: 'Pass' }, LockStock: { Type: 'Task', Resource: '${LockStockFunctionArn}' }, Done: { Type: 'Succeed' } },
    };
    expect(stepsOf(definition)).toEqual(['LockStock']);
  });
});

describe('the local cloud', () => {
  it('runs the export the template names in the Handler, not always `handler`', () => {
    const fn = (handler: string) => ({
      Type: 'AWS::Lambda::Function',
      Metadata: { 'order-pipeline:entry': 'functions/workflow/fulfilment-steps.ts' },
      Properties: { Handler: handler, Timeout: 20 },
    });
    const template = { Resources: { LockStock: fn('index.LockStock'), CloseOrder: fn('index.CloseOrder') } };
    const functions = readFunctions(template as never, new Names(template as never, 'OrderPipeline-test'));
    expect([...functions.values()].map(({ logicalId, entry, exportName }) => [logicalId, entry, exportName])).toEqual([
      ['LockStock', 'functions/workflow/fulfilment-steps.ts', 'LockStock'],
      ['CloseOrder', 'functions/workflow/fulfilment-steps.ts', 'CloseOrder'],
    ]);
  });
});
