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

/** Every `.ts` file under `folder`, as a path from the repository root. */
export function sourceFilesUnder(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/**
 * Every import of every `.ts` file under `folder` (a path from the repository root), read with the TypeScript
 * compiler's own pre-processor so that type-only imports, re-exports and dynamic imports all count.
 */
export function importsUnder(folder: string): SourceImport[] {
  return sourceFilesUnder(folder).flatMap((file) =>
    ts.preProcessFile(readFileSync(join(REPO_ROOT, file), 'utf8'), true, true).importedFiles.map(({ fileName }) => ({
      file,
      specifier: fileName,
      ...(fileName.startsWith('.') ? { target: relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), fileName)) } : {}),
    })),
  );
}

/**
 * The import cycles among the files under `folder`: each strongly connected group of two or more files
 * (or a file importing itself), sorted, found with Tarjan's algorithm over every kind of import.
 */
export function importCycles(folder: string): string[][] {
  const edges = new Map<string, string[]>();
  for (const { file, target } of importsUnder(folder)) {
    const targets = edges.get(file) ?? [];
    if (target?.startsWith(`${folder}/`)) targets.push(target);
    edges.set(file, targets);
  }
  const index = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    lowest.set(file, index.get(file) as number);
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowest.set(file, Math.min(lowest.get(file) as number, lowest.get(target) as number));
      } else if (stack.includes(target)) {
        lowest.set(file, Math.min(lowest.get(file) as number, index.get(target) as number));
      }
    }
    if (lowest.get(file) !== index.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    if (group.length > 1 || edges.get(file)?.includes(file)) cycles.push(group.sort());
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  return cycles;
}
