/**
 * What the functions' bundles may leave out. A module marked external is not in the bundle, so
 * importing it on Lambda fails: that is safe only while the SDK imports it lazily, on a path
 * Lambda never takes. An SDK upgrade that imports one statically must fail here, not at a cold start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, UNUSED_CREDENTIAL_PROVIDERS } from '../../lib/pipeline-function.ts';

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
