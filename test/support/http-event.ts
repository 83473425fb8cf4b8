import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CHANNEL_CLAIM, SCOPES } from '../../functions/http/access.ts';

export interface HttpRequest {
  method: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A Buffer is sent base64-encoded, as API Gateway passes bytes it does not take for text. */
  body?: string | object | Buffer;
  base64?: boolean;
  /** The channel a validated token acted for; no authorizer context when omitted. */
  channel?: string;
}

/** What API Gateway's JWT authorizer passes on for a channel's token (claims as strings, as it does). */
function channelAuthorizer(channel: string) {
  return {
    jwt: {
      claims: { [CHANNEL_CLAIM]: channel, sub: `client-${channel}`, scope: SCOPES.channel, exp: String(Math.floor(Date.now() / 1000) + 600) },
      scopes: [SCOPES.channel],
    },
  };
}

/** An HTTP API payload format 2.0 event, as API Gateway sends it. */
export function httpEvent(request: HttpRequest): APIGatewayProxyEventV2 {
  const bytes = Buffer.isBuffer(request.body) ? request.body : undefined;
  const text = request.body === undefined || bytes ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers = { 'content-type': 'application/json', ...request.headers };
  return {
    version: '2.0',
    routeKey: request.routeKey ?? `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
    headers,
    ...(request.query ? { queryStringParameters: request.query } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: request.routeKey ?? `${request.method} ${request.path}`,
      ...(request.channel ? { authorizer: channelAuthorizer(request.channel) } : {}),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: bytes !== undefined || (request.base64 ?? false),
    ...(bytes ? { body: bytes.toString('base64') } : {}),
    ...(text === undefined ? {} : { body: request.base64 ? Buffer.from(text).toString('base64') : text }),
  };
}

export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Invokes a handler the way API Gateway would and parses the JSON answer. */
export async function invoke(handler: Handler, request: HttpRequest): Promise<HttpResponse> {
  const result = await handler(httpEvent(request), lambdaContext());
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}
