/**
 * The whole pipeline on one machine, derived from the synthesized CDK app: DynamoDB
 * Local with the template's tables, the functions in worker threads with their
 * template environment, stream event source mappings, a local EventBridge with the
 * template's rules, the state machines run by aws-local-stepfunctions, and the HTTP
 * API's routes on a local port.
 */
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { problemResponse, problems } from '../functions/http/problem.ts';
import { compileRoutes, headersOf, MALFORMED_PATH, readBody, toEvent, writeJson, writeResult } from './apigateway/http-api.ts';
import { authorize, wwwAuthenticate } from './apigateway/jwt-authorizer.ts';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint.ts';
import { synthesizeStack, type SynthesizedStack } from './cloud-assembly.ts';
import { LOCAL_AWS_ENV, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { DynamoDbStreamRelay } from './dynamodb/stream-relay.ts';
import { loadOrCreateSigningKey, signToken, type LocalSigningKey } from './dev-tokens.ts';
import { ensureTable, tableDefinitions } from './dynamodb/tables.ts';
import { ApiDestinationCaller, type LocalSecrets } from './eventbridge/api-destination.ts';
import { LocalArchive } from './eventbridge/local-archive.ts';
import { LocalEventBus, type BusEvent, type DeadLetter } from './eventbridge/local-event-bus.ts';
import { localCursorSigningKey } from './cursor-signing-key.ts';
import { localCarrierSecretsDocument } from './carrier-secrets.ts';
import { Feed } from './feed.ts';
import { LocalFunction } from './lambda/function-host.ts';
import { LocalPipe } from './pipes/local-pipe.ts';
import { startFaultProxy } from './faults/fault-proxy.ts';
import { LocalScheduler } from './scheduler/local-scheduler.ts';
import { LocalStepFunctions } from './stepfunctions/local-step-functions.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, readTopology, type ApiDestinationTopology, type Topology } from './topology.ts';

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
  /** Stand-in for Secrets Manager: the values of the secrets partner connections name. */
  secrets?: LocalSecrets;
  /** Base delay between retries of rule targets and pipe receipts (EventBridge and SQS take seconds to minutes). */
  retryBaseDelayMs?: number;
  /**
   * Run the stack's schedules (the reconciler, every minute) on their own; false runs them only
   * on request (`scheduler.runNow`, `POST /_local/schedules/{name}/runs`), for tests that decide when.
   * @default true
   */
  schedules?: boolean;
  /** Faults to inject (`npm run faults`); none by default. */
  faults?: LocalFaults;
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

/** Which archived events to re-send, and to which rule (`Destination.FilterArns` of a replay). */
export interface ReplayRequest {
  /** Rule name on the order bus, e.g. `partner-erp`. */
  rule: string;
  from: Date;
  to: Date;
  /** @default `local-<rule>-<time>` */
  name?: string;
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
  /** Invocations and time spent per function (logical id) since start, e.g. to count what an order costs. */
  functionStats(): Record<string, { invocations: number; busyMs: number }>;
  /** Resolves once everything written so far has flowed through streams, rules and workflows. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const stopStack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stopStack.reverse()) await stop().catch(() => undefined);
  };

  try {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const [stack, dynamodb] = await Promise.all([
      Promise.resolve().then(
        () => options.stack ?? synthesizeStack(options.stage ?? 'local', options.partnersFile ? { partnersFile: options.partnersFile } : {}),
      ),
      startDynamoDbLocal(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
    ]);
    stopStack.push(() => dynamodb.stop());
    const topology = readTopology(stack.template, stack.stackName);
    log(`synthesized ${stack.stackName} and started DynamoDB Local at ${dynamodb.endpoint} (${Date.now() - started} ms)`);

    const tableNames = new Map(topology.tables.map((table) => [table.logicalId, table.name]));
    for (const table of tableDefinitions(stack.template, (logicalId) => tableNames.get(logicalId) ?? logicalId)) {
      const outcome = await ensureTable(dynamodb.client, table);
      log(`table ${table.input.TableName}: ${outcome}`);
    }

    const feed = new Feed();
    const deadLetters = new Map<string, unknown[]>();
    const queueNames = new Map(topology.queues.map((queue) => [queue.logicalId, queue.name]));
    const deadLetter = (queueLogicalId: string | undefined, message: unknown) => {
      const queue = queueNames.get(queueLogicalId ?? '') ?? 'unrouted-failures';
      deadLetters.set(queue, [...(deadLetters.get(queue) ?? []), message]);
      if (options.dataDir) appendFileSync(join(options.dataDir, 'dead-letters.jsonl'), `${JSON.stringify({ queue, message })}\n`);
      feed.publish({ kind: 'dead-letter', at: new Date().toISOString(), queue, message });
    };

    // The engines reference each other through the functions; they are wired once all exist.
    const functions = new Map<string, LocalFunction>();
    const invoke = (logicalId: string, event: unknown) => {
      const fn = functions.get(logicalId);
      if (!fn) throw new Error(`Function ${logicalId} is not part of the stack`);
      return fn.invoke(event);
    };

    const faults = options.faults ?? {};
    const stepFunctions = new LocalStepFunctions({
      stateMachines: topology.stateMachines.values(),
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
    });

    // Partner targets: HTTP calls with the connection's credentials, pipes for enrichment, and
    // a record of what other accounts' buses would have received.
    const apiDestinations = new ApiDestinationCaller(options.secrets ?? {});
    const eventBusDeliveries = new Map<string, BusEvent[]>();
    const callApiDestination = async (rule: string, destination: ApiDestinationTopology, event: unknown) => {
      const at = new Date().toISOString();
      const about = { rule, destination: destination.endpoint, detailType: (event as BusEvent)['detail-type'] };
      try {
        const status = await apiDestinations.call(destination, event);
        feed.publish({ kind: 'delivery', at, ...about, outcome: 'delivered', status });
      } catch (error) {
        feed.publish({ kind: 'delivery', at, ...about, outcome: 'failed', error: (error as Error).message });
        throw error;
      }
    };
    const queues = new Map(topology.queues.map((queue) => [queue.logicalId, queue]));
    const pipes = new Map(
      topology.pipes.map((pipe) => {
        const queue = queues.get(pipe.sourceQueueLogicalId)!;
        const local = new LocalPipe({
          pipe,
          sourceQueueArn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${queue.name}`,
          // SQS keeps retrying a message without a redrive policy until it expires; 10 stands in for that.
          maxReceiveCount: queue.redrive?.maxReceiveCount ?? 10,
          ...(pipe.enrichmentFunctionLogicalId ? { enrich: (messages: unknown[]) => invoke(pipe.enrichmentFunctionLogicalId!, messages) } : {}),
          deliver: (payload) => callApiDestination(`pipe ${queue.name}`, pipe.target, payload),
          onDeadLetter: (letter) => deadLetter(queue.redrive?.deadLetterQueueLogicalId, letter),
          ...(options.retryBaseDelayMs !== undefined ? { visibilityTimeoutMs: options.retryBaseDelayMs } : {}),
        });
        return [pipe.sourceQueueLogicalId, local] as const;
      }),
    );
    stopStack.push(async () => {
      await Promise.all([...pipes.values()].map((pipe) => pipe.stop()));
    });

    const archive = new LocalArchive(options.dataDir ? join(options.dataDir, 'events-archive.jsonl') : undefined);
    const bus = new LocalEventBus({
      rules: topology.rules,
      deliver: async (target, input, rule) => {
        if (target.kind === 'stateMachine') {
          stepFunctions.startExecution(target.arn, input);
          if (faults.duplicateDeliveries) stepFunctions.startExecution(target.arn, input);
        }
        else if (target.kind === 'function' && target.logicalId) await invoke(target.logicalId, input);
        else if (target.kind === 'apiDestination' && target.apiDestination) await callApiDestination(rule.name, target.apiDestination, input);
        else if (target.kind === 'queue' && pipes.has(target.logicalId!)) pipes.get(target.logicalId!)!.send(JSON.stringify(input));
        else if (target.kind === 'eventBus') {
          const event = input as BusEvent;
          eventBusDeliveries.set(target.arn, [...(eventBusDeliveries.get(target.arn) ?? []), event]);
          const at = new Date().toISOString();
          feed.publish({ kind: 'delivery', at, rule: rule.name, destination: target.arn, detailType: event['detail-type'], outcome: 'delivered' });
        } else throw Object.assign(new Error(`Target ${target.arn} is not run locally`), { name: 'UnsupportedTarget' });
      },
      onDeadLetter: (letter: DeadLetter) => deadLetter(letter.queueLogicalId, letter),
      onEvent: (busName, event) => {
        archive.append(busName, event);
        feed.publish({ kind: 'event', at: new Date().toISOString(), busName, event });
      },
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    });
    stopStack.push(() => bus.stop());

    const replay = (request: ReplayRequest): number => {
      const rule = topology.rules.find((candidate) => candidate.name === request.rule);
      if (!rule) throw new Error(`No rule named ${request.rule} (rules: ${topology.rules.map((r) => r.name).join(', ')})`);
      const name = request.name ?? `local-${rule.name}-${Date.now()}`;
      return bus.replay(rule.busName, archive.events(rule.busName, request.from, request.to), [rule.arn], name);
    };

    const awsEndpoint: AwsEndpoint = await startAwsEndpoint(bus, stepFunctions);
    stopStack.push(() => awsEndpoint.stop());

    const dynamodbProxy = faults.throttledWriteRate
      ? await startFaultProxy({ upstream: dynamodb.endpoint, throttledWriteRate: faults.throttledWriteRate })
      : undefined;
    const eventsProxy = faults.failedEventEntryRate
      ? await startFaultProxy({ upstream: awsEndpoint.url, failedEventEntryRate: faults.failedEventEntryRate })
      : undefined;
    for (const proxy of [dynamodbProxy, eventsProxy]) if (proxy) stopStack.push(() => proxy.stop());

    const functionLogs = options.dataDir ? createWriteStream(join(options.dataDir, 'functions.log'), { flags: 'a' }) : undefined;
    if (functionLogs) stopStack.push(() => new Promise((done) => functionLogs.end(() => done())));
    const environment: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...LOCAL_AWS_ENV,
      AWS_DEFAULT_REGION: LOCAL_AWS_ENV.AWS_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbProxy?.url ?? dynamodb.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsProxy?.url ?? awsEndpoint.url,
      AWS_ENDPOINT_URL_SFN: awsEndpoint.url,
      // Inline rather than the template's Secrets Manager secret, which does not run locally.
      CARRIER_WEBHOOK_SECRETS: localCarrierSecretsDocument(),
      CURSOR_SIGNING_KEY: localCursorSigningKey(options.dataDir ? join(options.dataDir, 'cursor-signing-key') : undefined),
      ...options.functionEnvironment,
    };
    for (const fn of topology.functions.values()) {
      functions.set(fn.logicalId, new LocalFunction(fn, PROJECT_ROOT, { ...environment }, functionLogs));
    }
    stopStack.push(async () => {
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    });
    await Promise.all([...functions.values()].map((fn) => fn.whenReady()));
    log(`${functions.size} functions loaded (${Date.now() - started} ms)`);

    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
    });
    const relays = (options.streams === false ? [] : topology.streamMappings).map(
      (mapping) =>
        new DynamoDbStreamRelay({
          client: streamsClient,
          dynamodb: dynamodb.client,
          tableName: tableNames.get(mapping.tableLogicalId) ?? mapping.tableLogicalId,
          settings: mapping,
          invoke: (event) => invoke(mapping.functionLogicalId, event) as never,
          onDeadLetter: (failure) => deadLetter(mapping.deadLetterQueueLogicalId, failure),
          ...(options.dataDir ? { checkpointFile: join(options.dataDir, `stream-${mapping.logicalId}.json`) } : {}),
          log,
        }),
    );
    for (const relay of relays) await relay.start();
    stopStack.push(async () => {
      await Promise.all(relays.map((relay) => relay.stop()));
      streamsClient.destroy();
    });

    // After the relays, so that on a restart the reconciler finds what the streams did not move on.
    const scheduler = new LocalScheduler({
      schedules: topology.schedules,
      invoke,
      onError: (schedule, error) => log(`schedule ${schedule.name}: ${error instanceof Error ? error.message : String(error)}`),
    });
    if (options.schedules !== false) scheduler.start();
    stopStack.push(() => scheduler.stop());

    // Kept with the data, so tokens printed by one `npm start` work after a restart.
    const signingKey = await loadOrCreateSigningKey(options.dataDir ? join(options.dataDir, 'jwt-signing-key.json') : undefined);
    const server = await startHttpServer(options.port ?? 3000, topology, invoke, signingKey, {
      feed,
      stepFunctions,
      scheduler,
      deadLetters,
      eventBusDeliveries,
      replay,
    });
    stopStack.push(() => new Promise((done) => server.close(() => done())));
    const { port } = server.address() as AddressInfo;
    log(`HTTP API on port ${port}: ${topology.routes.length} routes (${Date.now() - started} ms)`);

    // Streams feed the bus, the bus starts workflows, workflows write the table: drain in
    // that order until a whole round adds nothing to the feed.
    const settle = async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let seen = -1;
      while (Date.now() < deadline) {
        const before = feed.size();
        await Promise.all(relays.map((relay) => relay.drain(Math.max(1, deadline - Date.now()))));
        await bus.drain();
        await Promise.all([...pipes.values()].map((pipe) => pipe.drain()));
        await stepFunctions.drain();
        if (before === seen && feed.size() === before) return;
        seen = feed.size();
      }
    };

    return {
      url: `http://127.0.0.1:${port}`,
      topology,
      feed,
      tableName: (logicalId) => (logicalId ? tableNames.get(logicalId) : [...tableNames.values()][0]) ?? '',
      dynamodbEndpoint: dynamodb.endpoint,
      stepFunctions,
      scheduler,
      deadLetters,
      eventBusDeliveries,
      replay,
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
      functionStats: () =>
        Object.fromEntries([...functions].map(([id, fn]) => [id, { invocations: fn.invocations, busyMs: fn.busyMs }])),
      settle,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Operations {
  feed: Feed;
  stepFunctions: LocalStepFunctions;
  scheduler: LocalScheduler;
  deadLetters: Map<string, unknown[]>;
  eventBusDeliveries: Map<string, BusEvent[]>;
  replay: (request: ReplayRequest) => number;
}

async function startHttpServer(
  port: number,
  topology: Topology,
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  signingKey: LocalSigningKey,
  { feed, stepFunctions, scheduler, deadLetters, eventBusDeliveries, replay }: Operations,
): Promise<Server> {
  const match = compileRoutes(topology.routes);
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (url.pathname.startsWith('/_local/')) {
        if (url.pathname === '/_local/replays' && request.method === 'POST') {
          return await startReplay(request, response, replay);
        }
        const scheduleRun = /^\/_local\/schedules\/([^/]+)\/runs$/.exec(url.pathname);
        if (scheduleRun && request.method === 'POST') {
          const name = decodeURIComponent(scheduleRun[1]!);
          if (!scheduler.schedules.some((schedule) => schedule.name === name)) return writeJson(response, 404, { message: `No schedule ${name}` });
          return writeJson(response, 200, await scheduler.runNow(name));
        }
        if (url.pathname === '/_local/schedules') {
          return writeJson(response, 200, scheduler.schedules.map(({ name, periodMs, enabled }) => ({ name, periodMs, enabled })));
        }
        handleLocalRoute(url, request, response, feed, stepFunctions, deadLetters, eventBusDeliveries, topology);
        return;
      }
      const route = match(request.method ?? 'GET', url.pathname);
      if (route === MALFORMED_PATH) return writeJson(response, 400, { message: 'Bad Request' });
      if (!route) return writeJson(response, 404, { message: 'Not Found' });
      const { authorization } = route.route;
      const outcome = authorization ? await authorize(headersOf(request), authorization, signingKey.jwks) : undefined;
      if (outcome && !outcome.allowed) {
        const problem = outcome.status === 401 ? problems.unauthorized(outcome.description) : problems.forbidden(outcome.description);
        const result = problemResponse(problem, url.pathname);
        return writeResult(response, { ...result, headers: { ...result.headers, 'www-authenticate': wwwAuthenticate(outcome, authorization!.scopes) } });
      }
      const body = await readBody(request);
      if (!body) return writeJson(response, 413, { message: 'Request Entity Too Large' });
      const event = toEvent(request, body, route, url, outcome?.context);
      writeResult(response, await invoke(route.route.functionLogicalId, event));
    } catch {
      if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' });
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  return server;
}

/** Operator endpoints of the local cloud only; they are not part of the deployed API. */
function handleLocalRoute(
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
  feed: Feed,
  stepFunctions: LocalStepFunctions,
  deadLetters: Map<string, unknown[]>,
  eventBusDeliveries: Map<string, BusEvent[]>,
  topology: Topology,
): void {
  if (url.pathname === '/_local/health') return writeJson(response, 200, { status: 'ok', stack: topology.stackName });
  if (url.pathname === '/_local/executions') {
    return writeJson(
      response,
      200,
      stepFunctions.listExecutions().map(({ history, ...summary }) => ({ ...summary, historyEvents: history.length })),
    );
  }
  if (url.pathname.startsWith('/_local/executions/')) {
    const execution = stepFunctions.describeExecution(decodeURIComponent(url.pathname.slice('/_local/executions/'.length)));
    return execution ? writeJson(response, 200, execution) : writeJson(response, 404, { message: 'No such execution' });
  }
  if (url.pathname === '/_local/events') {
    const orderId = url.searchParams.get('orderId');
    const events = feed
      .recent()
      .flatMap((item) => (item.kind === 'event' ? [item.event] : []))
      .filter((event) => !orderId || (event.detail as { orderId?: string }).orderId === orderId);
    return writeJson(response, 200, events);
  }
  if (url.pathname === '/_local/dead-letters') return writeJson(response, 200, Object.fromEntries(deadLetters));
  if (url.pathname === '/_local/event-bus-deliveries') return writeJson(response, 200, Object.fromEntries(eventBusDeliveries));
  if (url.pathname === '/_local/feed') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (item: unknown) => response.write(`data: ${JSON.stringify(item)}\n\n`);
    if (url.searchParams.get('replay') === 'true') feed.recent().forEach(send);
    const unsubscribe = feed.subscribe(send);
    request.on('close', unsubscribe);
    return;
  }
  writeJson(response, 404, { message: 'Not Found' });
}

/** `POST /_local/replays` `{ "rule": "partner-erp", "from": "<iso>", "to": "<iso>" }`: what `npm run replay` calls. */
async function startReplay(
  request: IncomingMessage,
  response: ServerResponse,
  replay: (request: ReplayRequest) => number,
): Promise<void> {
  const body = JSON.parse((await readBody(request))?.toString('utf8') || '{}') as { rule?: string; from?: string; to?: string; name?: string };
  const from = new Date(body.from ?? '');
  const to = new Date(body.to ?? '');
  if (!body.rule || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    return writeJson(response, 400, { message: 'Give rule, and from < to as ISO 8601 times' });
  }
  try {
    const deliveries = replay({ rule: body.rule, from, to, ...(body.name ? { name: body.name } : {}) });
    writeJson(response, 202, { rule: body.rule, from: from.toISOString(), to: to.toISOString(), deliveries });
  } catch (error) {
    writeJson(response, 404, { message: (error as Error).message });
  }
}
