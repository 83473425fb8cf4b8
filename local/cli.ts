/**
 * What every `npm run` script shares: `--help`, a one-line refusal of options it does not know,
 * one-line failures that say what to do, and one way to find the local cloud (`BASE_URL`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CommandLine<O extends OptionsConfig> {
  /** The npm script, e.g. `tail`. */
  script: string;
  /** What it does, in a line or two. */
  summary: string;
  /** Positional arguments, as shown in the usage line, e.g. `<orderId> <status>`. */
  positionals?: string;
  options: O;
  /** One line per option, shown by `--help`. */
  help: { [K in keyof O]: string };
}

/** The local cloud's base URL: `BASE_URL`, else `http://127.0.0.1:$PORT` (PORT default 3000); empty counts as unset. */
export function localCloudUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BASE_URL || `http://127.0.0.1:${env.PORT || 3000}`;
}

/** Prints one line on stderr and exits: 1 for a failure, 2 for a wrong command line. */
export function fail(message: string, exitCode = 1): never {
  console.error(message);
  process.exit(exitCode);
}

export function usage<O extends OptionsConfig>(command: CommandLine<O>): string {
  const flags = Object.entries(command.options).map(([name, option]) => [
    `--${name}${option.type === 'string' ? ' <value>' : ''}`,
    command.help[name as keyof O],
  ]);
  flags.push(['--help', 'show this help and exit']);
  const width = Math.max(...flags.map(([flag]) => flag!.length));
  return [
    `Usage: npm run ${command.script} --${command.positionals ? ` ${command.positionals}` : ''} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...flags.map(([flag, text]) => `  ${flag!.padEnd(width)}  ${text}`),
  ].join('\n');
}

/** Parses `argv`; prints the usage and exits 0 on `--help`, exits 2 with one line on anything it does not know. */
export function parseCommandLine<O extends OptionsConfig>(command: CommandLine<O>, argv: string[] = process.argv.slice(2)) {
  const config = {
    args: argv,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } },
    allowPositionals: command.positionals !== undefined,
    strict: true,
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    // Node's messages run on with advice about `--`; the first sentence is the one that matters.
    const reason = (error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    fail(`npm run ${command.script}: ${reason} (see npm run ${command.script} -- --help)`, 2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage(command));
    process.exit(0);
  }
  return parsed;
}

/** A whole-number option of at least `min`, `fallback` when absent; a wrong one ends the script with its usage line. */
export function wholeNumberOption(script: string, name: string, value: string | undefined, fallback: number, min: number): number {
  const number = Number(value ?? fallback);
  if (!Number.isInteger(number) || number < min) fail(`npm run ${script}: --${name} must be a whole number of at least ${min}, not "${value}"`, 2);
  return number;
}

/** `fetch` against the local cloud; an unreachable one ends the script with one line saying how to start it. */
export async function fetchLocalCloud(baseUrl: string, path: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, init);
  } catch {
    fail(`No local cloud answers at ${baseUrl}: start it with npm start, or set BASE_URL to where it runs.`);
  }
}
