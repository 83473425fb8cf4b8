/**
 * Synthesized stacks kept by a hash of what they are made from, so `npm start` and the test suites
 * synthesize only when a source, cdk.json, the lockfile (CDK's version), the partners file, the
 * channels file, the stage or the context changed. Test forks may read and write the same cache at once: files appear
 * by rename, and a file that disappears while being read counts as not kept.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthesizedStack, SynthesizeOptions } from './cloud-assembly.ts';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the app's template is made from, besides the partners and channels files and the stage. */
const SYNTH_INPUTS = ['bin', 'lib', 'functions', 'packages', 'state-machines', 'cdk.json', 'package-lock.json', 'local/cloud-assembly.ts'];
/** The app's default partners and channels files (lib/pipeline-context.ts), named here so a cached start does not load the CDK. */
const DEFAULT_PARTNERS_FILE = 'config/partners.json';
const DEFAULT_CHANNELS_FILE = 'config/channels.json';
/** Where `npm start` and the tests keep synthesized stacks. */
export const SYNTH_CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'order-pipeline');

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A hash of everything the stack is synthesized from: sources, cdk.json, the lockfile, partners, channels, stage, context and target account. */
export function synthesisKey(stage: string, options: SynthesizeOptions = {}, root = PROJECT_ROOT): string {
  const configFiles = [options.partnersFile ?? DEFAULT_PARTNERS_FILE, options.channelsFile ?? DEFAULT_CHANNELS_FILE];
  const files = [...SYNTH_INPUTS.flatMap((input) => filesUnder(join(root, input))), ...configFiles.map((file) => (isAbsolute(file) ? file : join(root, file)))];
  const hash = createHash('sha256').update(JSON.stringify({ stage, context: options.context, account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }));
  for (const file of files.sort()) hash.update(`\0${relative(root, file)}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 32);
}

/** The same for every source state of one stage, partners and channels files, context and target account: what a newer stack replaces. */
function synthesisSlot(stage: string, options: SynthesizeOptions): string {
  const partnersFile = resolve(PROJECT_ROOT, options.partnersFile ?? DEFAULT_PARTNERS_FILE);
  const channelsFile = resolve(PROJECT_ROOT, options.channelsFile ?? DEFAULT_CHANNELS_FILE);
  const slot = { stage, partnersFile, channelsFile, context: options.context, account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  return createHash('sha256').update(JSON.stringify(slot)).digest('hex').slice(0, 12);
}

function readKept(file: string): SynthesizedStack | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStack;
  } catch (error) {
    // Replaced by a newer source state since the key was computed: synthesize as if never kept.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes `content` to `file` whole or not at all, so a fork reading it never sees half a stack. */
export function writeAtomically(file: string, content: string): void {
  const partial = `${file}.${process.pid}.${randomUUID()}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

/**
 * The stack kept in `cacheDir` when nothing it is made from changed, else synthesized now and
 * kept there in place of the one kept for an older state of the same stage and partners file.
 */
export async function cachedSynthesizeStack(
  cacheDir: string,
  stage: string,
  options: SynthesizeOptions = {},
): Promise<{ stack: SynthesizedStack; cached: boolean }> {
  const prefix = `synth-${stage}-${synthesisSlot(stage, options)}-`;
  const name = `${prefix}${synthesisKey(stage, options)}.json`;
  const kept = readKept(join(cacheDir, name));
  if (kept) return { stack: kept, cached: true };
  // Loaded only when needed: importing the CDK alone takes seconds.
  const { synthesizeStack } = await import('./cloud-assembly.ts');
  const stack = synthesizeStack(stage, options);
  mkdirSync(cacheDir, { recursive: true });
  writeAtomically(join(cacheDir, name), JSON.stringify(stack));
  const stale = readdirSync(cacheDir).filter((other) => other.startsWith(prefix) && other.endsWith('.json') && other !== name);
  for (const file of stale) rmSync(join(cacheDir, file), { force: true });
  return { stack, cached: false };
}

/** The stack, from `cacheDir` when it is given and holds it, else synthesized now. */
export async function loadStack(stage: string, options: SynthesizeOptions, cacheDir?: string): Promise<{ stack: SynthesizedStack; cached: boolean }> {
  if (cacheDir) return cachedSynthesizeStack(cacheDir, stage, options);
  const { synthesizeStack } = await import('./cloud-assembly.ts');
  return { stack: synthesizeStack(stage, options), cached: false };
}
