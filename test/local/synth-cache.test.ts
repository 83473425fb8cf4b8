/**
 * `npm start` synthesizes only when something the stack is made from changed: the key covers the
 * sources, cdk.json, the lockfile, the partners file and the stage, and a second start with the
 * same inputs reads the kept stack instead of synthesizing.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedSynthesizeStack, synthesisKey } from '../../local/synth-cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'synth-cache-'));
const NO_PARTNERS = fileURLToPath(new URL('../fixtures/no-partners.json', import.meta.url));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the synthesis key', () => {
  const root = join(scratch, 'project');
  const write = (file: string, content: string) => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  write('lib/stack.ts', 'export const a = 1;\n');
  write('functions/domain/order.ts', 'export const b = 1;\n');
  write('state-machines/fulfilment.asl.json', '{}');
  write('cdk.json', '{"context":{}}');
  write('package-lock.json', '{}');
  write('config/partners.json', '{"partners":[]}');
  const key = () => synthesisKey('local', {}, root);

  it('stays the same while nothing changes', () => {
    expect(key()).toBe(key());
  });

  it.each([
    ['a source under lib/', 'lib/stack.ts', 'export const a = 2;\n'],
    ['a new file under functions/', 'functions/domain/route.ts', 'export {};\n'],
    ['a state machine definition', 'state-machines/fulfilment.asl.json', '{"StartAt":"x"}'],
    ['cdk.json (feature flags, context)', 'cdk.json', '{"context":{"flag":true}}'],
    ['the lockfile (the CDK version)', 'package-lock.json', '{"lockfileVersion":3}'],
    ['the partners file', 'config/partners.json', '{"partners":[{"name":"x"}]}'],
  ])('changes with %s', (_, file, content) => {
    const before = key();
    write(file, content);
    expect(key()).not.toBe(before);
  });

  it('changes with the stage and the partners file named', () => {
    expect(synthesisKey('other', {}, root)).not.toBe(key());
    expect(synthesisKey('local', { partnersFile: NO_PARTNERS }, root)).not.toBe(key());
  });
});

it('synthesizes once, then reads the kept stack while the inputs stay the same', async () => {
  const cacheDir = join(scratch, 'cache');
  const first = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  const second = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  expect([first.cached, second.cached]).toEqual([false, true]);
  expect(second.stack).toEqual(first.stack);
  expect(Object.keys(second.stack.template.Resources).length).toBeGreaterThan(10);

  // Another partners file: synthesized again, and only the newest stack of the stage is kept.
  const partners = join(scratch, 'partners.json');
  writeFileSync(partners, `${JSON.stringify({ partners: [] }, null, 4)}\n`);
  const third = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: partners });
  expect(third.cached).toBe(false);
  expect(readdirSync(cacheDir)).toHaveLength(1);
});
