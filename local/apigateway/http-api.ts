/**
 * The HTTP API locally: requests to the synthesized routes become payload format
 * 2.0 events for the route's function, and its result becomes the response, as
 * API Gateway does it (lowercased headers, comma-joined repeats, base64 for
 * non-text bodies, inferred 200 JSON responses, 500 on a function error).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteTopology } from '../topology.ts';
import type { JwtAuthorizerContext } from './jwt-authorizer.ts';

/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteTopology;
  method: string;
  pattern: RegExp;
  parameterNames: string[];
  /** More literal segments win, as API Gateway prefers the most specific route. */
  specificity: number;
}

export interface RouteMatch {
  route: RouteTopology;
  pathParameters: Record<string, string>;
}

/** A path with a malformed %-escape, which API Gateway refuses with 400 before any route. */
export const MALFORMED_PATH = 'malformed-path';

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function compileRoutes(routes: RouteTopology[]): (method: string, path: string) => RouteMatch | typeof MALFORMED_PATH | undefined {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const [method = 'ANY', template = '/'] = route.routeKey.split(' ');
    const parameterNames: string[] = [];
    let specificity = 0;
    const source = template
      .split('/')
      .map((segment) => {
        const greedy = /^\{(\w+)\+\}$/.exec(segment);
        if (greedy) {
          parameterNames.push(greedy[1]!);
          return '(.+)';
        }
        const parameter = /^\{(\w+)\}$/.exec(segment);
        if (parameter) {
          parameterNames.push(parameter[1]!);
          return '([^/]+)';
        }
        specificity += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { route, method, pattern: new RegExp(`^${source}$`), parameterNames, specificity };
  });
  compiled.sort((a, b) => b.specificity - a.specificity);
  return (method, path) => {
    for (const candidate of compiled) {
      if (candidate.method !== 'ANY' && candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      const values = candidate.parameterNames.map((_, i) => decodePathSegment(match[i + 1] ?? ''));
      if (values.includes(undefined)) return MALFORMED_PATH;
      return { route: candidate.route, pathParameters: Object.fromEntries(candidate.parameterNames.map((name, i) => [name, values[i]!])) };
    }
    return undefined;
  };
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded))/i.test(contentType);
}

/** Header names lowercased, repeated headers comma-joined, as API Gateway passes them on. */
export function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** The payload 2.0 event; `authorizer` is what the route's authorizer passed on, if it has one. */
export function toEvent(
  request: IncomingMessage,
  body: Buffer,
  match: RouteMatch,
  url: URL,
  authorizer?: JwtAuthorizerContext,
): APIGatewayProxyEventV2 {
  const headers = headersOf(request);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      ...(authorizer ? { authorizer } : {}),
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0 && !textual,
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
  };
}

export function writeResult(response: ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const headers: Record<string, string | string[]> = { ...(structured.headers as Record<string, string>) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(structured.statusCode ?? 200, { ...headers, 'content-length': body.length });
  response.end(body);
}

export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function readBody(request: IncomingMessage, limit = MAX_PAYLOAD_BYTES): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
