/**
 * Synthesized stacks kept by a hash of what they are made from, so `npm start` synthesizes only
 * when a source, cdk.json, the lockfile (CDK's version), the partners file or the stage changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthesizedStack, SynthesizeOptions } from './cloud-assembly.ts';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the app's template is made from, besides the partners file and the stage. */
const SYNTH_INPUTS = ['bin', 'lib', 'functions', 'packages', 'state-machines', 'cdk.json', 'package-lock.json', 'local/cloud-assembly.ts'];
/** The app's default partners file (lib/order-pipeline-app.ts), named here so a cached start does not load the CDK. */
const DEFAULT_PARTNERS_FILE = 'config/partners.json';

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A hash of everything the stack is synthesized from: sources, cdk.json, the lockfile, partners, stage and target account. */
export function synthesisKey(stage: string, options: SynthesizeOptions = {}, root = PROJECT_ROOT): string {
  const partnersFile = options.partnersFile ?? DEFAULT_PARTNERS_FILE;
  const files = [...SYNTH_INPUTS.flatMap((input) => filesUnder(join(root, input))), isAbsolute(partnersFile) ? partnersFile : join(root, partnersFile)];
  const hash = createHash('sha256').update(JSON.stringify({ stage, account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }));
  for (const file of files.sort()) hash.update(`\0${relative(root, file)}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 32);
}

/**
 * The stack kept in `cacheDir` when nothing it is made from changed, else synthesized now and
 * kept there in place of the one kept for this stage before.
 */
export async function cachedSynthesizeStack(
  cacheDir: string,
  stage: string,
  options: SynthesizeOptions = {},
): Promise<{ stack: SynthesizedStack; cached: boolean }> {
  const file = join(cacheDir, `synth-${stage}-${synthesisKey(stage, options)}.json`);
  if (existsSync(file)) return { stack: JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStack, cached: true };
  // Loaded only when needed: importing the CDK alone takes seconds.
  const { synthesizeStack } = await import('./cloud-assembly.ts');
  const stack = synthesizeStack(stage, options);
  mkdirSync(cacheDir, { recursive: true });
  for (const stale of readdirSync(cacheDir).filter((name) => name.startsWith(`synth-${stage}-`))) rmSync(join(cacheDir, stale));
  writeFileSync(file, JSON.stringify(stack));
  return { stack, cached: false };
}

/** The stack, from `cacheDir` when it is given and holds it, else synthesized now. */
export async function loadStack(stage: string, options: SynthesizeOptions, cacheDir?: string): Promise<{ stack: SynthesizedStack; cached: boolean }> {
  if (cacheDir) return cachedSynthesizeStack(cacheDir, stage, options);
  const { synthesizeStack } = await import('./cloud-assembly.ts');
  return { stack: synthesizeStack(stage, options), cached: false };
}
