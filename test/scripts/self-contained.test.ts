/**
 * Tests read only files inside the repository: a user's clone has nothing beside it. Every
 * relative path a test resolves against its own location (`new URL('..', import.meta.url)`) must
 * stay inside the repository, and no test names an absolute path of this machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_DIR = join(REPO_ROOT, 'test');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('tests are self-contained', () => {
  const files = sourceFiles(TEST_DIR);

  it.each(files.map((file) => [relative(REPO_ROOT, file), file]))('%s resolves files only inside the repository', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    const outside = [...source.matchAll(/new URL\(\s*['"`]([^'"`]+)['"`]\s*,\s*import\.meta\.url/g)]
      .map((match) => match[1]!)
      .filter((path) => {
        const fromRoot = relative(REPO_ROOT, fileURLToPath(new URL(path, pathToFileURL(file))));
        return fromRoot.startsWith('..') || isAbsolute(fromRoot);
      });
    expect(outside).toEqual([]);
    expect(source).not.toMatch(/['"`]\/work\//);
  });
});
