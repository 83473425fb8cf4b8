/**
 * What the functions' bundles may leave out. A module marked external is not in the bundle, so
 * importing it on Lambda fails: that is safe only while the SDK imports it lazily, on a path
 * Lambda never takes. An SDK upgrade that imports one statically must fail here, not at a cold start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ADAPTER_VARIABLES } from '../../functions/adapter-variables.ts';
import { PipelineFunction, REPO_ROOT, UNUSED_CREDENTIAL_PROVIDERS } from '../../lib/pipeline-function.ts';
import { testContext } from './support.ts';

/** Every ES module file the bundles take from the SDK (esbuild reads `module` before `main`), outside the externals themselves. */
function sdkModules(): string[] {
  return ['@aws-sdk', '@smithy'].flatMap((scope) =>
    readdirSync(join(REPO_ROOT, 'node_modules', scope))
      .filter((name) => !UNUSED_CREDENTIAL_PROVIDERS.includes(`${scope}/${name}`))
      .flatMap((name) => {
        const distEs = join(REPO_ROOT, 'node_modules', scope, name, 'dist-es');
        try {
          return readdirSync(distEs, { recursive: true, encoding: 'utf8' })
            .filter((file) => file.endsWith('.js'))
            .map((file) => join(distEs, file));
        } catch {
          return []; // a package without an ES module build is bundled from `main`, which the SDK does not use for these
        }
      }),
  );
}

describe('the credential providers left out of the bundles', () => {
  const sources = sdkModules().map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  const quoted = (name: string) => `["']${name.replace('/', '\\/')}["']`;

  it.each(UNUSED_CREDENTIAL_PROVIDERS)('%s is imported by the SDK only with a dynamic import()', (name) => {
    const dynamic = new RegExp(`import\\(\\s*${quoted(name)}\\s*\\)`);
    const anyImport = new RegExp(`(from\\s*|import\\s*|require\\(\\s*)${quoted(name)}`);
    expect(sources.filter(({ text }) => dynamic.test(text)).length).toBeGreaterThan(0);
    const staticImports = sources.filter(({ text }) => anyImport.test(text.replace(new RegExp(`import\\(\\s*${quoted(name)}\\s*\\)`, 'g'), '')));
    expect(staticImports.map(({ file }) => file)).toEqual([]);
  });
});

describe('the adapters a function\'s environment never switches on (functions/adapter-variables.ts)', () => {
  /** The packages with code in bundles of every dependency builder and of the route that may queue orders, with `define` as PipelineFunction sets it. */
  async function bundledPackages(define: Record<string, string>): Promise<string[]> {
    const { metafile } = await build({
      entryPoints: ['functions/use-cases/dependencies.ts', 'functions/api/place-order.ts'].map((entry) => join(REPO_ROOT, entry)),
      bundle: true,
      write: false,
      outdir: 'out',
      metafile: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      external: UNUSED_CREDENTIAL_PROVIDERS,
      define,
      logLevel: 'silent',
    });
    // The output's inputs, with code in it: the metafile's own inputs also list modules tree-shaken to nothing.
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
    const packages = inputs.filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([path]) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]);
    return [...new Set(packages.filter((name) => name !== undefined))];
  }
  const adapterSdks = (packages: string[]) => packages.filter((name) => /^@aws-crypto\/|^@aws-sdk\/client-(kms|sfn|scheduler|sqs)$/.test(name)).sort();

  it('leave their SDKs out of a bundle that has their variables undefined', async () => {
    const undefinedVariables = Object.fromEntries(Object.keys(ADAPTER_VARIABLES).map((name) => [`process.env.${name}`, 'undefined']));
    // A check of the source's form: an early `if (!process.env.NAME) throw` keeps the code after it in the bundle.
    expect(adapterSdks(await bundledPackages(undefinedVariables))).toEqual([]);
    expect(adapterSdks(await bundledPackages({}))).toEqual(
      expect.arrayContaining(['@aws-crypto/client-node', '@aws-sdk/client-kms', '@aws-sdk/client-scheduler', '@aws-sdk/client-sfn', '@aws-sdk/client-sqs']),
    );
  });

  it('cannot be switched on after the bundle is made, unless the function says so', () => {
    const stack = new Stack(new App({ context: testContext() }), 'Adapters');
    const reader = new PipelineFunction(stack, 'Reader', { entry: 'api/get-inventory', serviceName: 'test', stage: 'test' });
    expect([...reader.bundledWithout].sort()).toEqual(Object.keys(ADAPTER_VARIABLES).sort());
    expect(() => reader.addEnvironment('PERSONAL_DATA_KEY_ARN', 'arn:aws:kms:us-east-1:111111111111:key/k')).toThrow(/adapterVariablesSetLater/);
    reader.addEnvironment('ANOTHER_SETTING', 'fine');

    const sealer = new PipelineFunction(stack, 'Sealer', {
      entry: 'api/place-order',
      serviceName: 'test',
      stage: 'test',
      environment: { ORDER_TIMERS_GROUP: 'group' },
      adapterVariablesSetLater: ['PERSONAL_DATA_KEY_ARN'],
    });
    expect([...sealer.bundledWithout].sort()).toEqual(['ORDER_INTAKE_QUEUE_URL', 'STATE_MACHINE_ARN']);
    sealer.addEnvironment('PERSONAL_DATA_KEY_ARN', 'arn:aws:kms:us-east-1:111111111111:key/k');
  });
});
