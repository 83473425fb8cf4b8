/**
 * `npm start` and the test suites synthesize only when something the stack is made from changed:
 * the key covers the sources, cdk.json, the lockfile, the partners and channels files, the stage and the context,
 * and a second start with the same inputs reads the kept stack instead of synthesizing, even while
 * other processes write the cache.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  write('config/channels.json', '{"channels":[]}');
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
    ['the channels file', 'config/channels.json', '{"channels":[{"name":"x"}]}'],
  ])('changes with %s', (_, file, content) => {
    const before = key();
    write(file, content);
    expect(key()).not.toBe(before);
  });

  it('changes with the stage, the partners file named and the context', () => {
    expect(synthesisKey('other', {}, root)).not.toBe(key());
    expect(synthesisKey('local', { partnersFile: NO_PARTNERS }, root)).not.toBe(key());
    expect(synthesisKey('local', { channelsFile: join(root, 'other-channels.json') }, (write('other-channels.json', '{"channels":[{"name":"y"}]}'), root))).not.toBe(key());
    expect(synthesisKey('local', { context: { 'orderPipeline:orderDeadlineSeconds': 'PLACED=1' } }, root)).not.toBe(key());
  });
});

it('synthesizes once, then reads the kept stack while the inputs stay the same', async () => {
  const cacheDir = join(scratch, 'cache');
  const first = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  const second = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  expect([first.cached, second.cached]).toEqual([false, true]);
  expect(second.stack).toEqual(first.stack);
  expect(Object.keys(second.stack.template.Resources).length).toBeGreaterThan(10);

  // The same partners file with other content: synthesized again, in place of the older stack.
  const partners = join(scratch, 'partners.json');
  writeFileSync(partners, JSON.stringify({ partners: [] }));
  const own = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: partners });
  writeFileSync(partners, `${JSON.stringify({ partners: [] }, null, 4)}\n`);
  const changed = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: partners });
  expect([own.cached, changed.cached]).toEqual([false, false]);
  // Kept side by side: each partners file's newest stack, so suites of one stage do not evict each other.
  expect(readdirSync(cacheDir)).toHaveLength(2);
  expect((await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS })).cached).toBe(true);
});

it('synthesizes again when a kept stack disappears before it is read, as when a newer one replaces it', async () => {
  const cacheDir = join(scratch, 'vanishing');
  await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  for (const file of readdirSync(cacheDir)) rmSync(join(cacheDir, file));
  const again = await cachedSynthesizeStack(cacheDir, 'cachetest', { partnersFile: NO_PARTNERS });
  expect(again.cached).toBe(false);
  expect(readdirSync(cacheDir)).toHaveLength(1);
});

it('lets processes write the same stack at once while another reads it, never showing half of one', async () => {
  const file = join(scratch, 'contended.json');
  const module = fileURLToPath(new URL('../../local/synth-cache.ts', import.meta.url));
  // Megabytes, like a real template: a plain write would be read while still partial.
  const writer = (id: number) =>
    `import { writeAtomically } from ${JSON.stringify(module)};
     const content = JSON.stringify({ writer: ${id}, padding: 'x'.repeat(4_000_000) });
     for (let i = 0; i < 20; i++) writeAtomically(${JSON.stringify(file)}, content);`;
  const writers = [1, 2, 3].map((id) => spawn(process.execPath, ['--input-type=module', '-e', writer(id)], { stdio: 'inherit' }));
  const exited = Promise.all(writers.map((child) => new Promise<number | null>((done) => child.on('exit', done))));
  let running = true;
  void exited.then(() => (running = false));
  const seen = new Set<number>();
  while (running) {
    if (existsSync(file)) seen.add((JSON.parse(readFileSync(file, 'utf8')) as { writer: number }).writer);
    await new Promise((next) => setImmediate(next));
  }
  expect(await exited).toEqual([0, 0, 0]);
  expect(seen.size).toBeGreaterThan(0);
  expect([1, 2, 3]).toContain((JSON.parse(readFileSync(file, 'utf8')) as { writer: number }).writer);
  expect(readdirSync(scratch).filter((name) => name.endsWith('.partial'))).toEqual([]);
});
