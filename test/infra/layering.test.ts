import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importsUnder, sourceFilesUnder } from '../support/imports.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The files above the store that may import it, each because it is where a Lambda's parts are wired
 * together (or, for the route table, where each handler is given its table access).
 */
const COMPOSITION_ROOTS = [
  'functions/use-cases/dependencies.ts',
  'functions/http/routes.ts',
  'functions/publisher/publish-order-events.ts',
  'functions/reconciler/reconcile-overdue-orders.ts',
  'functions/partners/enrich-partner-event.ts',
];

describe('the deployable app', () => {
  it('imports nothing from the local cloud', () => {
    const fromLocal = importsUnder('lib').filter(({ target }) => target?.startsWith('local/'));
    expect(fromLocal).toEqual([]);
  });
});

describe('the functions', () => {
  it('have no import cycle, type-only imports included', () => {
    expect(importCycles('functions')).toEqual([]);
  });

  it('reach the store only from a composition root', () => {
    const intoStore = importsUnder('functions')
      .filter(({ file, target }) => target?.startsWith('functions/store/') && !file.startsWith('functions/store/'))
      .map(({ file }) => file);
    expect([...new Set(intoStore)].filter((file) => !COMPOSITION_ROOTS.includes(file))).toEqual([]);
  });

  it('keep the domain to itself: it imports nothing else of the code base', () => {
    const outside = importsUnder('functions/domain').filter(({ target }) => target && !target.startsWith('functions/domain/'));
    expect(outside).toEqual([]);
  });

  it("import zod as a namespace (`import * as z`): the named `{ z }` is one object holding all of zod, which esbuild cannot tree-shake", () => {
    const named = sourceFilesUnder('functions').filter((file) =>
      /import\s+(type\s+)?\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod['"]/.test(readFileSync(resolve(REPO_ROOT, file), 'utf8')),
    );
    expect(named).toEqual([]);
  });

  it('import nothing for its side effects alone: package.json declares `"sideEffects": false`, so a bundle leaves out a module none of whose exports it uses', () => {
    expect(JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')).sideEffects).toBe(false);
    const bare = importsUnder('functions').filter(({ file, specifier }) =>
      new RegExp(`^\\s*import\\s*['"]${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`, 'm').test(readFileSync(resolve(REPO_ROOT, file), 'utf8')),
    );
    expect(bare).toEqual([]);
  });

  it('keep AWS out of the domain and the use cases: no SDK import, no transaction cancellation decoding', () => {
    const sdk = [...importsUnder('functions/domain'), ...importsUnder('functions/use-cases')].filter(({ specifier }) =>
      specifier.startsWith('@aws-sdk/'),
    );
    expect(sdk).toEqual([]);
    const decoding = [...sourceFilesUnder('functions/domain'), ...sourceFilesUnder('functions/use-cases')].filter((file) =>
      /CancellationReasons|TransactionCanceledException/.test(readFileSync(resolve(REPO_ROOT, file), 'utf8')),
    );
    expect(decoding).toEqual([]);
  });
});
