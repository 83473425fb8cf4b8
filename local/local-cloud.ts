/**
 * The whole pipeline on one machine, derived from the synthesized CDK app: DynamoDB
 * Local with the template's tables, the functions in worker threads with their
 * template environment, stream event source mappings, a local EventBridge with the
 * template's rules, the state machines run by aws-local-stepfunctions, and the HTTP
 * API's routes on a local port.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localCloudOperations, startAwsEndpoint } from './aws-endpoint.ts';
import { LocalKms } from './kms/local-kms.ts';
import type { SynthesizedStack } from './cloud-assembly.ts';
import { DeadLetterQueues } from './dead-letters.ts';
import { LOCAL_AWS_ENV, sharedDynamoDbLocal, startDynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { startStreamMappings } from './dynamodb/stream-mappings.ts';
import { loadOrCreateSigningKey, signToken } from './dev-tokens.ts';
import { deleteTables, ensureTable, tableDefinitions } from './dynamodb/tables.ts';
import type { LocalSecrets } from './eventbridge/api-destination.ts';
import type { BusEvent } from './eventbridge/local-event-bus.ts';
import { startEventRouting, type ReplayRequest } from './event-routing.ts';
import { localCarrierSecretsDocument } from './carrier-secrets.ts';
import { localCursorSigningKey } from './cursor-signing-key.ts';
import { Feed } from './feed.ts';
import type { HopRecorder } from './hop-recorder.ts';
import { LocalFunctions, type FunctionStats } from './lambda/local-functions.ts';
import { startHttpServer } from './local-http-server.ts';
import { startFaultProxy } from './faults/fault-proxy.ts';
import { LocalScheduler } from './scheduler/local-scheduler.ts';
import { settle } from './settle.ts';
import { LocalSqs } from './sqs/local-sqs.ts';
import { LocalOneTimeSchedules } from './scheduler/local-one-time-schedules.ts';
import { LocalStepFunctions } from './stepfunctions/local-step-functions.ts';
import { loadStack } from './synth-cache.ts';
import type { Topology } from './topology.ts';
import { readTopology } from './topology/read-topology.ts';

export type { ReplayRequest } from './event-routing.ts';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface LocalCloudOptions {
  /** HTTP port of the API; 0 picks a free one. */
  port?: number;
  /** Where orders, stock and stream positions survive restarts; in memory when omitted. */
  dataDir?: string;
  stage?: string;
  /** A stack synthesized earlier; synthesized now when omitted. */
  stack?: SynthesizedStack;
  log?: (line: string) => void;
  /** Extra environment for every function (e.g. SANDBOX_CARRIER_FAILURE_RATE). */
  functionEnvironment?: Record<string, string>;
  /**
   * Relay table streams to their functions; false leaves written orders where they land,
   * to load the intake on its own (`npm run bench`).
   * @default true
   */
  streams?: boolean;
  /** Partners file to synthesize with (when `stack` is not given); the app's default when omitted. */
  partnersFile?: string;
  /** Channels file to synthesize with (when `stack` is not given); the app's default (`config/channels.json`) when omitted. */
  channelsFile?: string;
  /** More synthesis context (when `stack` is not given), as `cdk synth -c key=value` would pass it. */
  context?: Record<string, unknown>;
  /** Where synthesized stacks are kept by a hash of their sources, so an unchanged app is not synthesized again. */
  synthCacheDir?: string;
  /** DynamoDB Local in its own process group: for a process that stops the cloud on SIGINT and SIGTERM itself (see `DynamoDbLocalOptions`). */
  databaseInOwnProcessGroup?: boolean;
  /** Stand-in for Secrets Manager: the values of the secrets partner connections name. */
  secrets?: LocalSecrets;
  /** Base delay between retries of rule targets and pipe receipts (EventBridge and SQS take seconds to minutes). */
  retryBaseDelayMs?: number;
  /**
   * Delay before each retry of a workflow state (its `Retry` field's attempts and errors kept), instead of the
   * definition's backoff, which waits about half a minute before a carrier that refuses every request is given up on.
   */
  workflowRetryIntervalMs?: number;
  /**
   * Run the stack's schedules (the reconciler, every minute) on their own; false runs them only
   * on request (`scheduler.runNow`, `POST /_local/schedules/{name}/runs`), for tests that decide when.
   * @default true
   */
  schedules?: boolean;
  /**
   * A DynamoDB Local already running (a test run's), to create this cloud's tables in instead of starting
   * a JVM of its own (about 7 s of CPU): in memory only, not with `dataDir`. Give clouds that share one
   * different `instanceName`s; each deletes its tables when it stops and leaves the database running.
   */
  sharedDynamoDbEndpoint?: string;
  /**
   * What the cloud's resources are named after instead of the stack's name (tables `<instanceName>-<logicalId>`,
   * functions, queues, state machines alike), so that clouds of one stack can share a DynamoDB Local.
   */
  instanceName?: string;
  /** Faults to inject (`npm run faults`); none by default. */
  faults?: LocalFaults;
  /** Receives the engines' timestamps of what each order goes through (`npm run bench:latency`); none recorded without it. */
  hopRecorder?: HopRecorder;
  /**
   * Start every function's worker thread during start-up, as provisioned concurrency would, for
   * measurements that must not include cold starts (`npm run bench`); otherwise each function starts
   * on its first invocation, as a Lambda cold start does, and a cloud whose run uses a handful of its
   * functions does not pay for the rest.
   * @default false
   */
  warmFunctions?: boolean;
}

/** What `npm run faults` injects; each is what AWS itself does now and then. */
export interface LocalFaults {
  /** Share of DynamoDB writes refused with ProvisionedThroughputExceededException. */
  throttledWriteRate?: number;
  /** Share of PutEvents entries failed with InternalFailure. */
  failedEventEntryRate?: number;
  /** Share of workflow task invocations that fail after the handler returned, its writes committed. */
  taskErrorAfterSuccessRate?: number;
  /** Deliver every event twice to each state machine target (EventBridge delivers at least once). */
  duplicateDeliveries?: boolean;
}

export interface LocalCloud {
  url: string;
  topology: Topology;
  feed: Feed;
  tableName(logicalId?: string): string;
  dynamodbEndpoint: string;
  stepFunctions: LocalStepFunctions;
  /** EventBridge Scheduler: the stack's schedules, runnable on request. */
  scheduler: LocalScheduler;
  /** EventBridge Scheduler's one-time schedules the functions create (order timers), runnable before their time. */
  oneTimeSchedules: LocalOneTimeSchedules;
  deadLetters: Map<string, unknown[]>;
  /** Events delivered to event bus targets in other accounts (partner buses), by bus ARN. */
  eventBusDeliveries: Map<string, BusEvent[]>;
  /** Re-sends archived events to one rule's targets; resolves with the number of deliveries started. */
  replay(request: ReplayRequest): number;
  /**
   * A token the local API accepts, signed with the local key for the issuer and audience
   * of the app's JWT authorizer; `expiresIn` in seconds (negative: already expired).
   */
  issueToken(request: {
    scopes: string[];
    channel?: string;
    clientId?: string;
    expiresIn?: number;
    /** Overrides of what the authorizer expects, to see it refuse them. */
    issuer?: string;
    audience?: string;
  }): Promise<string>;
  /** Messages waiting or in flight in each SQS queue with a function reading it (the intake queue). */
  queueDepths(): Record<string, number>;
  /** KMS requests served so far, by operation (GenerateDataKey, Decrypt, ...). */
  kmsRequests(): Record<string, number>;
  /** Invocations, time, CPU time and log bytes per function (logical id) since start, e.g. to count what an order costs. */
  functionStats(): Record<string, FunctionStats>;
  /**
   * Starts the functions behind these routes (route keys as `POST /orders/{orderId}/cancel`) and resolves once they have
   * loaded: for a caller that must act within a moment of an order's workflow and cannot wait out a cold start.
   */
  warmRoutes(routeKeys: string[]): Promise<void>;
  /**
   * Resolves once everything written so far has flowed through queues, streams, rules and workflows;
   * rejects after `timeoutMs` (60 s by default) naming what is still under way.
   */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How long stopping waits for each part of the cloud. */
const STOP_WAIT_MS = 15_000;
/**
 * The order a cloud stops in: what brings work in first (requests, schedules, the stream and queue
 * pollers, timers, the bus), each finishing what it started while the functions still run; then the
 * functions; then what functions call; the database last.
 */
const STOP_ORDER = [
  'HTTP server',
  'scheduler',
  'stream relay',
  'queue pollers',
  'one-time schedules',
  'event routing',
  'functions',
  'function log',
  'fault proxy',
  'AWS endpoint',
  'tables',
  'DynamoDB Local',
] as const;

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const stopStack: Array<{ name: (typeof STOP_ORDER)[number]; stop: () => Promise<void> }> = [];
  // Each part gets a bounded wait: one that hangs (an invocation that never settles) must not keep the
  // rest, DynamoDB Local's JVM included, running; the log names it so the hang can be found.
  const stopAll = async () => {
    const inOrder = stopStack.splice(0).sort((a, b) => STOP_ORDER.indexOf(a.name) - STOP_ORDER.indexOf(b.name));
    for (const { name, stop } of inOrder) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), STOP_WAIT_MS)));
      const outcome = await Promise.race([stop().catch(() => undefined), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timed out') log(`${name} did not stop within ${STOP_WAIT_MS} ms; going on without it`);
    }
  };

  try {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    if (options.dataDir && options.sharedDynamoDbEndpoint) throw new Error('A cloud with a dataDir keeps its database there: it cannot share a DynamoDB Local');
    const synthOptions = {
      ...(options.partnersFile ? { partnersFile: options.partnersFile } : {}),
      ...(options.channelsFile ? { channelsFile: options.channelsFile } : {}),
      ...(options.context ? { context: options.context } : {}),
    };
    const [{ stack, cached }, dynamodb] = await Promise.all([
      options.stack ? { stack: options.stack, cached: true } : loadStack(options.stage ?? 'local', synthOptions, options.synthCacheDir),
      options.sharedDynamoDbEndpoint
        ? sharedDynamoDbLocal(options.sharedDynamoDbEndpoint)
        : startDynamoDbLocal({
            ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
            ownProcessGroup: options.databaseInOwnProcessGroup ?? false,
          }),
    ]);
    stopStack.push({ name: 'DynamoDB Local', stop: () => dynamodb.stop() });
    const topology = readTopology(stack.template, options.instanceName ?? stack.stackName);
    log(`${cached ? 'unchanged' : 'synthesized'} ${stack.stackName}, DynamoDB Local at ${dynamodb.endpoint} (${Date.now() - started} ms)`);

    const tableNames = new Map(topology.tables.map((table) => [table.logicalId, table.name]));
    for (const table of tableDefinitions(stack.template, (logicalId) => tableNames.get(logicalId) ?? logicalId)) {
      const outcome = await ensureTable(dynamodb.client, table);
      log(`table ${table.input.TableName}: ${outcome}`);
    }
    // In a shared database, the tables go with the cloud (deleted before the database's client closes).
    if (options.sharedDynamoDbEndpoint) stopStack.push({ name: 'tables', stop: () => deleteTables(dynamodb.client, [...tableNames.values()]) });

    const feed = new Feed();
    const deadLetters = new DeadLetterQueues(topology.queues, feed, options.dataDir);

    const recorder = options.hopRecorder;
    const functions = new LocalFunctions(recorder);
    const invoke = (logicalId: string, event: unknown) => functions.invoke(logicalId, event);

    const faults = options.faults ?? {};
    const stepFunctions = new LocalStepFunctions({
      stateMachines: topology.stateMachines.values(),
      ...(options.workflowRetryIntervalMs !== undefined ? { retryIntervalMs: options.workflowRetryIntervalMs } : {}),
      invoke: async (logicalId, input) => {
        const result = await invoke(logicalId, input);
        if (Math.random() < (faults.taskErrorAfterSuccessRate ?? 0)) {
          throw Object.assign(new Error('The function failed after its work was done (injected)'), { name: 'Lambda.ServiceException' });
        }
        return result;
      },
      onExecutionChange: (execution) =>
        feed.publish({
          kind: 'execution',
          at: new Date().toISOString(),
          executionArn: execution.executionArn,
          status: execution.status,
          input: execution.input,
          ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
        }),
      ...(recorder ? { recorder } : {}),
    });

    const routing = startEventRouting({
      topology,
      feed,
      deadLetters,
      stepFunctions,
      invoke,
      secrets: options.secrets ?? {},
      ...(faults.duplicateDeliveries ? { duplicateDeliveries: true } : {}),
      ...(recorder ? { recorder } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    });
    stopStack.push({ name: 'event routing', stop: () => routing.stop() });

    // Its root key kept with the data, so orders sealed before a restart still open after it.
    const kms = new LocalKms(options.dataDir ? join(options.dataDir, 'kms-root-key') : undefined);
    const sqs = new LocalSqs({
      queues: topology.queues,
      mappings: topology.queueMappings,
      invoke,
      deadLetters,
      ...(options.retryBaseDelayMs !== undefined ? { retryDelayMs: options.retryBaseDelayMs } : {}),
    });
    // A schedule a function creates after these stopped is kept (in the file, with a data directory) and runs on the next start.
    const oneTimeSchedules = new LocalOneTimeSchedules({
      groups: topology.scheduleGroups,
      functions: topology.functions.values(),
      invoke,
      ...(options.dataDir ? { file: join(options.dataDir, 'one-time-schedules.json') } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
      onError: (name, error) => log(`one-time schedule ${name}: ${error instanceof Error ? error.message : String(error)}`),
    });
    stopStack.push({ name: 'one-time schedules', stop: () => oneTimeSchedules.stop() });
    const awsEndpoint = await startAwsEndpoint({ ...localCloudOperations(routing.bus, stepFunctions, kms), ...sqs.operations() }, (method, path, query, body) =>
      oneTimeSchedules.handle(method, path, query, body),
    );
    stopStack.push({ name: 'AWS endpoint', stop: () => awsEndpoint.stop() });

    const dynamodbProxy = faults.throttledWriteRate
      ? await startFaultProxy({ upstream: dynamodb.endpoint, throttledWriteRate: faults.throttledWriteRate })
      : undefined;
    const eventsProxy = faults.failedEventEntryRate
      ? await startFaultProxy({ upstream: awsEndpoint.url, failedEventEntryRate: faults.failedEventEntryRate })
      : undefined;
    for (const proxy of [dynamodbProxy, eventsProxy]) if (proxy) stopStack.push({ name: 'fault proxy', stop: () => proxy.stop() });

    const functionLogs = options.dataDir ? createWriteStream(join(options.dataDir, 'functions.log'), { flags: 'a' }) : undefined;
    if (functionLogs) stopStack.push({ name: 'function log', stop: () => new Promise((done) => functionLogs.end(() => done())) });
    const environment: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...LOCAL_AWS_ENV,
      AWS_DEFAULT_REGION: LOCAL_AWS_ENV.AWS_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbProxy?.url ?? dynamodb.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsProxy?.url ?? awsEndpoint.url,
      AWS_ENDPOINT_URL_SFN: awsEndpoint.url,
      AWS_ENDPOINT_URL_KMS: awsEndpoint.url,
      AWS_ENDPOINT_URL_SQS: awsEndpoint.url,
      AWS_ENDPOINT_URL_SCHEDULER: awsEndpoint.url,
      // Inline rather than the template's Secrets Manager secret, which does not run locally.
      CARRIER_WEBHOOK_SECRETS: localCarrierSecretsDocument(),
      CURSOR_SIGNING_KEY: localCursorSigningKey(options.dataDir ? join(options.dataDir, 'cursor-signing-key') : undefined),
      ...options.functionEnvironment,
    };
    stopStack.push({ name: 'functions', stop: () => functions.stop() });
    await functions.load(topology.functions.values(), PROJECT_ROOT, environment, functionLogs, { warm: options.warmFunctions ?? false });
    log(
      options.warmFunctions
        ? `${functions.size} functions loaded (${Date.now() - started} ms)`
        : `${functions.size} functions, each started on its first invocation (${Date.now() - started} ms)`,
    );
    stopStack.push({ name: 'queue pollers', stop: () => sqs.stop() });

    const streams = await startStreamMappings({
      mappings: options.streams === false ? [] : topology.streamMappings,
      dynamodb,
      tableName: (logicalId) => tableNames.get(logicalId) ?? logicalId,
      invoke,
      deadLetters,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(recorder ? { recorder } : {}),
      log,
    });
    stopStack.push({ name: 'stream relay', stop: () => streams.stop() });

    // After the relays, so that on a restart the reconciler finds what the streams did not move on.
    const scheduler = new LocalScheduler({
      schedules: topology.schedules,
      invoke,
      onError: (schedule, error) => log(`schedule ${schedule.name}: ${error instanceof Error ? error.message : String(error)}`),
    });
    if (options.schedules !== false) scheduler.start();
    stopStack.push({ name: 'scheduler', stop: () => scheduler.stop() });

    // Kept with the data, so tokens printed by one `npm start` work after a restart.
    const signingKey = await loadOrCreateSigningKey(options.dataDir ? join(options.dataDir, 'jwt-signing-key.json') : undefined);
    const server = await startHttpServer(options.port ?? 3000, topology.routes, invoke, signingKey, {
      stackName: topology.stackName,
      feed,
      stepFunctions,
      scheduler,
      deadLetters: deadLetters.messages,
      eventBusDeliveries: routing.eventBusDeliveries,
      replay: routing.replay,
    }, recorder);
    stopStack.push({ name: 'HTTP server', stop: () => server.stop() });
    log(`HTTP API on port ${server.port}: ${topology.routes.length} routes (${Date.now() - started} ms)`);

    const settleParts = { feed, sqs, streams, routing, stepFunctions };

    return {
      url: `http://127.0.0.1:${server.port}`,
      topology,
      feed,
      tableName: (logicalId) => (logicalId ? tableNames.get(logicalId) : [...tableNames.values()][0]) ?? '',
      dynamodbEndpoint: dynamodb.endpoint,
      stepFunctions,
      scheduler,
      oneTimeSchedules,
      deadLetters: deadLetters.messages,
      eventBusDeliveries: routing.eventBusDeliveries,
      replay: routing.replay,
      issueToken: async ({ clientId, ...request }) => {
        const [authorizer, ...others] = topology.jwtAuthorizers;
        if (!authorizer || others.length > 0) throw new Error('Tokens are issued for a stack with exactly one JWT authorizer');
        return signToken(signingKey, {
          issuer: authorizer.issuer,
          audience: authorizer.audience[0]!,
          clientId: clientId ?? request.channel ?? 'operator',
          ...request,
        });
      },
      queueDepths: () => sqs.depths(),
      kmsRequests: () => kms.requestCounts(),
      functionStats: () => functions.stats(),
      warmRoutes: (routeKeys) =>
        functions.warm(
          routeKeys.map((routeKey) => {
            const route = topology.routes.find((candidate) => candidate.routeKey === routeKey);
            if (!route) throw new Error(`No route ${routeKey} in the stack`);
            return route.functionLogicalId;
          }),
        ),
      settle: (timeoutMs) => settle(settleParts, timeoutMs),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
