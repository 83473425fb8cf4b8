import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Repository root. */
const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** One import (or re-export) of a source file: the specifier as written and, when relative, the repository path it names. */
export interface SourceImport {
  readonly file: string;
  readonly specifier: string;
  readonly target?: string;
}

/**
 * Every import of every `.ts` file under `folder` (a path from the repository root), read with the TypeScript
 * compiler's own pre-processor so that type-only imports, re-exports and dynamic imports all count.
 */
export function importsUnder(folder: string): SourceImport[] {
  const files = readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
  return files.flatMap((file) =>
    ts.preProcessFile(readFileSync(join(REPO_ROOT, file), 'utf8'), true, true).importedFiles.map(({ fileName }) => ({
      file,
      specifier: fileName,
      ...(fileName.startsWith('.') ? { target: relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), fileName)) } : {}),
    })),
  );
}
