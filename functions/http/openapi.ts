/**
 * The API's OpenAPI 3.1 description, generated from the route table and the zod schemas the
 * handlers validate with, so the contract cannot drift from what is enforced. It describes
 * what a caller meets on AWS: the handlers' problem+json, and the answers API Gateway gives
 * itself (401/403 from the JWT authorizer, 413, 429 stage throttling, 500/504 when the
 * function fails or times out) as application/json `{ "message" }`.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { CHANNEL_CLAIM, SCOPES } from './access.ts';
import { GatewayError, Problem } from './components.ts';
import { MAX_BODY_BYTES } from './request.ts';
import { ROUTES, type ResponseHeader, type Route } from './routes.ts';

export const SECURITY_SCHEME = 'bearerJwt';

const registry = new OpenAPIRegistry();

registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    `An access token from the identity provider configured for the deployment (issuer and audience are CDK context). ` +
    `Each operation lists the scopes that let a token through (any one of them): \`${SCOPES.channel}\` for a channel's own orders, ` +
    `\`${SCOPES.support}\` for operators reading, holding, releasing and retrying any order, \`${SCOPES.admin}\` for all of that plus cancelling any order, stock and routing policy. ` +
    `A channel's token names its channel in the \`${CHANNEL_CLAIM}\` claim; the API acts for that channel only.`,
});

const HEADERS: Record<ResponseHeader | 'Retry-After', { description: string; schema: { type: 'string' } }> = {
  Location: { description: 'The path of the order', schema: { type: 'string' } },
  ETag: { description: 'The policy version, quoted (`"3"`): send it back as `If-Match`', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string' } },
};
const headers = (...names: Array<keyof typeof HEADERS>) => Object.fromEntries(names.map((name) => [name, HEADERS[name]]));

/** What each error status means when the handler answers it (problem+json). */
const PROBLEMS: Record<number, string> = {
  400: 'The request is not valid (`/problems/validation-error`, `/problems/malformed-json`, `/problems/invalid-cursor`)',
  401: 'A bad, stale or future signature (`/problems/invalid-signature`)',
  403: 'The token carries no channel, or names another channel (`/problems/channel-mismatch`)',
  404: 'Not found; another channel\'s order is not found either',
  409: 'Conflicts with the current state (the problem type says which)',
  412: 'The `If-Match` version is no longer live (`/problems/precondition-failed`); `ETag` names the live one',
  413: `The body exceeds ${MAX_BODY_BYTES} bytes`,
  415: 'The body is not application/json',
  428: 'A policy exists and the request has no `If-Match` (`/problems/precondition-required`)',
  500: 'Unexpected failure; safe to retry',
  503: 'Write conflicts or throttling persisted; retry after `Retry-After` seconds',
};

/** What API Gateway answers itself, before the handler or instead of it. */
const GATEWAY: Record<number, string> = {
  401: 'On AWS, API Gateway\'s JWT authorizer: no token, or one that is not valid (signature, issuer, audience, expiry)',
  403: 'On AWS, API Gateway\'s JWT authorizer: the token lacks the route\'s scope',
  413: 'On AWS, API Gateway: the request exceeds its 10 MB payload limit',
  429: 'On AWS, API Gateway: the stage\'s throttle (rate and burst) is exceeded; retry with backoff',
  500: 'On AWS, API Gateway: the function failed without answering',
  504: 'On AWS, API Gateway: the function did not answer within the integration timeout',
};

const problemContent = { 'application/problem+json': { schema: Problem } };
const gatewayContent = { 'application/json': { schema: GatewayError } };

/** Every error response of a route: the handler's problems, API Gateway's answers, or both under one status. */
function errorResponses(route: Route): Record<number, ResponseConfig> {
  const gateway = [413, 429, 500, 504, ...(route.scopes === 'public' ? [] : [401, 403])];
  const statuses = [...new Set([...route.problems, ...gateway])].sort();
  return Object.fromEntries(
    statuses.map((status) => {
      const handler = route.problems.includes(status);
      const fromGateway = gateway.includes(status);
      const description = [handler ? PROBLEMS[status] : undefined, fromGateway ? GATEWAY[status] : undefined].filter(Boolean).join('. ');
      return [
        status,
        {
          description,
          // The local cloud answers its authorizer's refusals as problem+json too.
          content: { ...(handler || status === 401 || status === 403 ? problemContent : {}), ...(fromGateway ? gatewayContent : {}) },
          ...(status === 503 ? { headers: headers('Retry-After') } : {}),
          ...(status === 412 ? { headers: headers('ETag') } : {}),
        },
      ];
    }),
  );
}

function operationOf(route: Route): RouteConfig {
  const { params, query, headers: requestHeaders, body } = route.request ?? {};
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    // Alternatives: a token with any one of the route's scopes is let through.
    security: route.scopes === 'public' ? [] : route.scopes.map((scope) => ({ [SECURITY_SCHEME]: [scope] })),
    request: {
      ...(params ? { params } : {}),
      ...(query ? { query } : {}),
      ...(requestHeaders ? { headers: requestHeaders } : {}),
      ...(body ? { body: { required: body.required, content: { 'application/json': { schema: body.schema } } } } : {}),
    },
    responses: {
      ...Object.fromEntries(
        route.responses.map((response) => [
          response.status,
          {
            description: response.description,
            ...(response.headers ? { headers: headers(...response.headers) } : {}),
            content: { 'application/json': { schema: response.body } },
          },
        ]),
      ),
      ...errorResponses(route),
    },
  };
}

for (const route of ROUTES) registry.registerPath(operationOf(route));

let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

/** Generated once per process: the schemas do not change while it runs. */
export function openApiDocument() {
  document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order pipeline API',
      version: '1.0.0',
      description:
        'Channels place, read, list, amend and cancel their orders; operators set stock and the routing policy. ' +
        'The handlers answer errors as RFC 9457 problem+json; API Gateway answers its own refusals as application/json `{ "message" }`. ' +
        'Events are described separately (EventBridge, source `order-pipeline`).',
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: '{baseUrl}',
        description: 'The deployed stack\'s `ApiUrl` output, or the local cloud (`npm start`)',
        variables: { baseUrl: { default: 'http://127.0.0.1:3000' } },
      },
    ],
  });
  return document;
}
