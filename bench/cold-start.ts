/**
 * Cold-start cost of each Lambda bundle: how big the file is and how long a fresh Node process
 * takes to `import()` it. That is the part of a cold start we control (the runtime's own boot
 * and the network are not ours), so it is what regresses when a handler pulls in a heavy module.
 *
 * The app is synthesized in-process *with* bundling, into a directory kept until the
 * measurements are done: local/cloud-assembly.ts skips bundling and deletes its outdir, which
 * suits the local runtime but leaves nothing to measure here.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createOrderPipelineApp } from '../lib/order-pipeline-app.ts';
import { CONTEXT_KEYS } from '../lib/pipeline-context.ts';
import { ENTRY_METADATA_KEY } from '../lib/pipeline-function.ts';
import { parseCommandLine } from '../local/cli.ts';

const run = promisify(execFile);

export interface ColdStartRow {
  /** Construct path below the stack, e.g. `IntakeApi/PlaceOrder`; the logical id if the path is missing. */
  function: string;
  /** Handler source relative to the repository root, e.g. `functions/api/place-order.ts`. */
  entry: string;
  bundleBytes: number;
  importMsMedian: number;
  importMsMin: number;
  /**
   * CPU time (user + system) of the import, median: on a shared machine the wall time also counts
   * waiting for a core, which this does not, so it is the figure to compare between runs.
   */
  importCpuMsMedian: number;
  /** With `contents`: what the bundle holds, largest first (esbuild's metafile, grouped by {@link contentGroup}). */
  contents?: BundleContent[];
}

/** Bytes of one package (`node_modules/<name>`) or one folder of our own code in a bundle's output. */
export interface BundleContent {
  group: string;
  bytes: number;
}

interface Bundle {
  function: string;
  entry: string;
  file: string;
  environment: Record<string, string>;
}

/**
 * What a module counts under: its package for a dependency (`zod`, `@smithy/core`), else its folder
 * (`functions/store`), so the list says which boundary to cut at rather than naming hundreds of files.
 */
export function contentGroup(input: string): string {
  // The innermost package: a copy nested in another package's node_modules counts as what it is.
  const dependency = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (dependency) return dependency[1]!;
  return input.replace(/^(\.\.\/)+/, '').split('/').slice(0, -1).join('/') || input;
}

/** The groups with code in a bundle, from the metafile esbuild wrote beside it (`orderPipeline:bundleMetafile`). */
export function bundleContents(metafileText: string): BundleContent[] {
  const metafile = JSON.parse(metafileText) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) bytes.set(contentGroup(input), (bytes.get(contentGroup(input)) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([group, size]) => ({ group, bytes: size })).sort((a, b) => b.bytes - a.bytes);
}

type Resource = { Type: string; Metadata?: Record<string, unknown>; Properties?: { Environment?: { Variables?: Record<string, unknown> } } };

/** Synthesizes the bench stage with bundling and returns each function's bundle file; the caller removes `outdir`. */
function synthesizeBundles(outdir: string, metafile: boolean): Bundle[] {
  const { app, stack } = createOrderPipelineApp({
    outdir,
    context: {
      'orderPipeline:stage': 'bench',
      ...(metafile ? { [CONTEXT_KEYS.bundleMetafile.key]: true } : {}),
      // The CLI turns these on; an in-process App needs them to map resources to assets and paths.
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource> };
  const bundles: Bundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const metadata = resource.Metadata ?? {};
    const assetPath = metadata['aws:asset:path'];
    if (typeof assetPath !== 'string') continue; // inline or CDK-internal functions have no bundle of ours
    const file = ['index.mjs', 'index.js'].map((name) => join(outdir, assetPath, name)).find((path) => existsSync(path));
    if (!file) throw new Error(`${logicalId}: no index.mjs or index.js in ${assetPath}`);
    const cdkPath = metadata['aws:cdk:path'];
    bundles.push({
      function: typeof cdkPath === 'string' ? cdkPath.replace(`${stack.stackName}/`, '').replace(/\/Resource$/, '') : logicalId,
      entry: String(metadata[ENTRY_METADATA_KEY] ?? '?'),
      file,
      environment: importEnvironment(resource.Properties?.Environment?.Variables ?? {}),
    });
  }
  return bundles;
}

/**
 * The function's own environment as the template declares it, so import sees what Lambda would
 * (including NODE_OPTIONS=--enable-source-maps, which makes Node read the .map at load time).
 * Tokens (Ref, Fn::GetAtt of table names etc.) become placeholders: nothing connects at import.
 */
function importEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const environment: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'cold-start-bench',
    AWS_SECRET_ACCESS_KEY: 'cold-start-bench',
    AWS_LAMBDA_FUNCTION_NAME: 'cold-start-bench',
  };
  for (const [name, value] of Object.entries(variables)) environment[name] = typeof value === 'string' ? value : `bench-${name.toLowerCase()}`;
  return environment;
}

/**
 * One fresh process, one import, its elapsed and CPU milliseconds, and the process's CPU from its
 * start to the import's end (Node's own start-up included). The markers keep stray module output out of the parse.
 */
async function importOnce(bundle: Pick<Bundle, 'function' | 'file' | 'environment'>): Promise<{ ms: number; cpuMs: number; processCpuMs: number }> {
  const code = [
    `const t0 = performance.now(), cpu0 = process.cpuUsage();`,
    `await import(${JSON.stringify(pathToFileURL(bundle.file).href)});`,
    `const cpu = process.cpuUsage(cpu0), all = process.cpuUsage();`,
    `console.log('IMPORT_MS=' + (performance.now() - t0) + ' IMPORT_CPU_MS=' + (cpu.user + cpu.system) / 1000 + ' PROCESS_CPU_MS=' + (all.user + all.system) / 1000);`,
  ].join('\n');
  // Only PATH/HOME from the parent: inherited NODE_OPTIONS or AWS_* would change what is measured.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...bundle.environment };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { env, maxBuffer: 1 << 20 });
  const match = /IMPORT_MS=([\d.]+) IMPORT_CPU_MS=([\d.]+) PROCESS_CPU_MS=([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`${bundle.function}: no timing in output: ${stdout.slice(0, 200)}`);
  return { ms: Number(match[1]), cpuMs: Number(match[2]), processCpuMs: Number(match[3]) };
}

/** What the import figures would be for a module with nothing in it, so a bundle is judged on what it adds. */
export interface ImportFloor {
  /** The import's CPU time of an empty module, median: the part of every row that is not the bundle's. */
  importCpuMsMedian: number;
  /** The process's CPU from its start to the end of that import, median: Node's start-up, which no row counts. */
  processCpuMsMedian: number;
}

/** Fresh processes importing an empty module, with a function's environment (`--enable-source-maps` included). */
async function measureFloor(outdir: string, environment: Record<string, string>, repeats: number): Promise<ImportFloor> {
  const file = join(outdir, 'empty-module.mjs');
  writeFileSync(file, '');
  const imports: Array<{ cpuMs: number; processCpuMs: number }> = [];
  for (let i = 0; i < repeats; i++) imports.push(await importOnce({ function: 'empty module', file, environment }));
  return { importCpuMsMedian: median(imports.map(({ cpuMs }) => cpuMs)), processCpuMsMedian: median(imports.map(({ processCpuMs }) => processCpuMs)) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface ColdStart {
  rows: ColdStartRow[];
  floor: ImportFloor;
}

export async function measureColdStart(options: { repeats?: number; only?: string; contents?: boolean } = {}): Promise<ColdStart> {
  const repeats = Math.max(1, options.repeats ?? 5);
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-cold-start-'));
  try {
    const bundles = synthesizeBundles(outdir, options.contents === true).filter((bundle) => !options.only || bundle.function.includes(options.only));
    const floor = await measureFloor(outdir, bundles[0]?.environment ?? importEnvironment({}), repeats);
    const rows: ColdStartRow[] = [];
    for (const bundle of bundles) {
      // Sequential on purpose: parallel processes would compete for CPU and inflate each other's times.
      const imports: Array<{ ms: number; cpuMs: number }> = [];
      for (let i = 0; i < repeats; i++) imports.push(await importOnce(bundle));
      const times = imports.map(({ ms }) => ms);
      rows.push({
        function: bundle.function,
        entry: bundle.entry,
        bundleBytes: statSync(bundle.file).size,
        importMsMedian: median(times),
        importMsMin: Math.min(...times),
        importCpuMsMedian: median(imports.map(({ cpuMs }) => cpuMs)),
        ...(options.contents ? { contents: bundleContents(readFileSync(join(dirname(bundle.file), 'index.meta.json'), 'utf8')) } : {}),
      });
    }
    return { rows: rows.sort((a, b) => b.bundleBytes - a.bundleBytes), floor };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Table lines, widest bundle first, for the console, then the floor. */
export function formatColdStart({ rows, floor }: ColdStart, contents = 0): string[] {
  const header = ['function', 'entry', 'bundle KiB', 'import ms (median)', 'import ms (min)', 'import CPU ms (median)'];
  const cells = rows.map((row) => [
    row.function,
    row.entry,
    (row.bundleBytes / 1024).toFixed(1),
    row.importMsMedian.toFixed(1),
    row.importMsMin.toFixed(1),
    row.importCpuMsMedian.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  // Text columns left-aligned, numbers right-aligned so magnitudes line up.
  const format = (line: string[]) => line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [
    format(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.map(format),
    `floor: an empty module's import CPU ${floor.importCpuMsMedian.toFixed(1)} ms (median; in every row, not the bundle's); ` +
      `Node's start-up before any import ${(floor.processCpuMsMedian - floor.importCpuMsMedian).toFixed(1)} ms CPU (in no row)`,
    ...(contents > 0 ? rows.flatMap(({ function: name, contents: groups = [] }) => [
      '',
      `${name}: ${groups.slice(0, contents).map(({ group, bytes }) => `${group} ${(bytes / 1024).toFixed(1)}`).join(', ')} (KiB)`,
    ]) : []),
  ];
}

async function main() {
  const { values } = parseCommandLine({
    script: 'bench:cold-start',
    summary: 'Synthesizes the app with bundling and prints each function\'s bundle size and import time in a fresh Node process (the cold-start table of npm run bench).',
    options: { repeats: { type: 'string' }, only: { type: 'string' }, contents: { type: 'string' } },
    help: {
      repeats: 'fresh processes per function (default 5)',
      only: 'measure the functions whose construct path contains this',
      contents: 'also list the N largest packages or folders of our code in each bundle (esbuild metafile)',
    },
  });
  const contents = Number(values.contents ?? 0);
  if (!Number.isInteger(contents) || contents < 0) throw new Error('--contents must be a whole number');
  const repeats = Number(values.repeats ?? 5);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats must be a whole number of at least 1');
  const coldStart = await measureColdStart({ repeats, contents: contents > 0, ...(values.only ? { only: values.only } : {}) });
  for (const line of formatColdStart(coldStart, contents)) console.log(line);
}

if (import.meta.main) await main();
