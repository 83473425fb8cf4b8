/**
 * The HTTP handler kind: Powertools observability and problem+json error mapping around a
 * route, assembled once for every API handler.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { withPowertools } from '../middleware/powertools.ts';
import { problemDetails } from '../middleware/problem-details.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpRoute = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function httpHandler(route: HttpRoute) {
  return withPowertools<APIGatewayProxyEventV2, HttpResult>(route).use(problemDetails());
}
