/**
 * Every npm script as a user runs it, in a child process: `--help` prints the usage and exits 0
 * without starting anything, an unknown option is refused in one line, and an unreachable local
 * cloud, a busy port or a missing tokens file each end in one line that says what to do.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPTS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
const CLI_SCRIPTS = ['start', 'tail', 'replay', 'bench', 'bench:profile', 'carrier:callback', 'contracts', 'faults'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs what `npm run <script> -- <args>` runs, with the Node running this test. */
function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const [command, file] = SCRIPTS[script]!.split(' ');
  expect(command).toBe('node');
  return new Promise((resolve) => {
    execFile(process.execPath, [file!, ...args], { cwd: ROOT, env: { ...process.env, BASE_URL: '', PORT: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

let scratch: string;
let busy: Server;
let busyPort: number;
/** A port nothing listens on: taken, then released. */
let closedPort: number;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cli-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
  const released = createServer();
  await new Promise<void>((resolve) => released.listen(0, '127.0.0.1', resolve));
  closedPort = (released.address() as { port: number }).port;
  await new Promise((resolve) => released.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(CLI_SCRIPTS)('npm run %s', (script) => {
  it('--help prints the usage and options, exits 0 and starts nothing', async () => {
    const { code, stdout, stderr } = await run(script, ['--help']);
    expect(code).toBe(0);
    expect(stdout.startsWith(`Usage: npm run ${script} --`)).toBe(true);
    expect(stdout).toContain('--help');
    expect(stdout).not.toContain('[local]');
    expect(stderr).toBe('');
  });

  it('refuses an unknown option in one line, exit code 2', async () => {
    const { code, stdout, stderr } = await run(script, ['--no-such-option']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([`npm run ${script}: Unknown option '--no-such-option' (see npm run ${script} -- --help)`]);
  });
});

describe('one line, with what to do', () => {
  it.each([
    ['tail', []],
    ['replay', ['--partner', 'erp', '--from', '2026-01-01T00:00:00Z']],
    ['carrier:callback', ['01ORDER', 'picked_up', '--token', 'x']],
  ])('%s against no local cloud names BASE_URL and npm start', async (script, args) => {
    const { code, stderr } = await run(script, args, { BASE_URL: `http://127.0.0.1:${closedPort}` });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      `No local cloud answers at http://127.0.0.1:${closedPort}: start it with npm start, or set BASE_URL to where it runs.`,
    ]);
  });

  it('tail finds the local cloud at http://127.0.0.1:$PORT when BASE_URL is not set', async () => {
    const { code, stderr } = await run('tail', [], { PORT: String(closedPort) });
    expect(code).toBe(1);
    expect(stderr).toContain(`http://127.0.0.1:${closedPort}`);
  });

  it('carrier:callback without a tokens file says who writes it and offers --token', async () => {
    const missing = join(scratch, 'dev-tokens.json');
    const { code, stderr } = await run('carrier:callback', ['01ORDER', 'picked_up', '--tokens', missing], { TOKEN: '' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      `No tokens file at ${missing}: npm start writes it (not with --in-memory); or pass --token <the order's channel token>.`,
    ]);
  });

  it('start on a busy port says so and how to pick another, before starting anything', async () => {
    const { code, stdout, stderr } = await run('start', ['--port', String(busyPort), '--in-memory']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([
      `Port ${busyPort} is in use (another npm start?): stop what listens there, or start on another port: PORT=${busyPort + 1} npm start`,
    ]);
  });

  it('replay without its required options names them', async () => {
    const { code, stderr } = await run('replay', ['--partner', 'erp']);
    expect(code).toBe(2);
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toContain('--from');
  });
});
