/** What the app's configuration files (partners, channels) share: reading one, and refusing it with one line per problem. */
import { readFileSync } from 'node:fs';

/** A configuration file is invalid; `issues` are one line each, naming the entry and field. */
export class ConfigFileError extends Error {
  readonly issues: readonly string[];
  constructor(what: string, source: string, issues: string[]) {
    super(`Invalid ${what} file ${source}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.issues = issues;
  }
}

/** The file's JSON document; a file that cannot be read or parsed is refused by `refuse` with the reason. */
export function readJsonFile(file: string, refuse: (issues: string[]) => Error): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw refuse([`(file): ${(error as Error).message}`]);
  }
}
