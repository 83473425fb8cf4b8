/**
 * The AWS endpoint the handlers' SDK clients talk to locally (AWS_ENDPOINT_URL_EVENTBRIDGE,
 * AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_SCHEDULER): over the JSON protocol
 * (an `X-Amz-Target` header), EventBridge PutEvents, Step Functions StartExecution /
 * DescribeExecution and the KMS operations of the Encryption SDK; over the REST protocol (a path),
 * EventBridge Scheduler's schedules. Each is served by its local engine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEventBus, PutEventsEntry } from './eventbridge/local-event-bus.ts';
import type { LocalStepFunctions } from './stepfunctions/local-step-functions.ts';
import type { LocalKms } from './kms/local-kms.ts';
import { readBody } from './apigateway/http-api.ts';

/** One JSON-protocol operation, by its X-Amz-Target (`TrentService.Decrypt`, ...). */
export type Operation = (input: Record<string, unknown>) => unknown;

/** A REST-protocol service (EventBridge Scheduler): errors carry `status` and their name. */
export type RestService = (method: string, path: string, query: URLSearchParams, body: Record<string, unknown>) => unknown;

class ServiceError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export interface AwsEndpoint {
  url: string;
  stop(): Promise<void>;
}

/** What the local cloud serves: the bus, the state machines and KMS. */
export function localCloudOperations(bus: LocalEventBus, stepFunctions: LocalStepFunctions, kms: LocalKms): Record<string, Operation> {
  const epochSeconds = (iso?: string) => (iso ? Date.parse(iso) / 1000 : undefined);
  return {
    ...kms.operations(),
    'AWSEvents.PutEvents': (input) => {
      const entries = (input.Entries ?? []) as PutEventsEntry[];
      if (entries.length === 0 || entries.length > 10) {
        throw new ServiceError('ValidationException', 'Entries must contain between 1 and 10 entries');
      }
      return bus.putEvents(entries);
    },
    'AWSStepFunctions.StartExecution': (input) => {
      const execution = stepFunctions.startExecution(
        String(input.stateMachineArn),
        JSON.parse(String(input.input ?? '{}')),
        typeof input.name === 'string' ? input.name : undefined,
      );
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },
    'AWSStepFunctions.DescribeExecution': (input) => {
      const execution = stepFunctions.describeExecution(String(input.executionArn));
      if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution ${String(input.executionArn)} does not exist`);
      return {
        executionArn: execution.executionArn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
        input: JSON.stringify(execution.input),
        ...(execution.output !== undefined ? { output: JSON.stringify(execution.output) } : {}),
        ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
      };
    },
  };
}

/** REST errors name their type in a header, where the SDK's REST-JSON protocol reads it first. */
function replyRest(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}

async function serveRest(rest: RestService, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await readBody(request, 1024 * 1024);
    replyRest(response, 200, rest(request.method ?? 'GET', url.pathname, url.searchParams, JSON.parse(body?.toString('utf8') || '{}')));
  } catch (error) {
    const failure = error as Error & { status?: number };
    replyRest(response, failure.status ?? 400, { Message: failure.message }, failure.name);
  }
}

export async function startAwsEndpoint(operations: Record<string, Operation>, rest?: RestService): Promise<AwsEndpoint> {
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target && rest) return serveRest(rest, request, response);
    const operation = operations[target];
    if (!operation) {
      reply(response, 400, { __type: 'UnknownOperationException', message: `${target || 'This operation'} is not served locally` });
      return;
    }
    try {
      const body = await readBody(request, 1024 * 1024);
      reply(response, 200, operation(JSON.parse(body?.toString('utf8') || '{}')));
    } catch (error) {
      const failure = error as Error & { status?: number };
      reply(response, failure.status ?? 400, { __type: failure.name, message: failure.message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
