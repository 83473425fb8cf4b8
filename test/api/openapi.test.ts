/**
 * The OpenAPI document against the synthesized app: every route is documented with the
 * scopes its authorizer enforces, nothing undocumented is served, and the document is
 * structurally OpenAPI 3.1 (operations, responses and parameters present, every
 * reference resolves, every schema a valid JSON Schema 2020-12).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { testStack } from '../support/test-cloud.ts';
import { openApiDocument, SECURITY_SCHEME } from '../../functions/http/openapi.ts';
import { handler as getOpenApi } from '../../functions/api/get-openapi.ts';
import { invoke } from '../support/http-event.ts';
import { documentAjv, pointerGet } from '../support/openapi.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface SynthesizedRoute {
  routeKey: string;
  authorizationType: string;
  scopes: string[];
}

let routes: SynthesizedRoute[];
const document = openApiDocument();
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, any>)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({ routeKey: `${method.toUpperCase()} ${path}`, path, method, operation })),
);

beforeAll(async () => {
  const { template } = await testStack();
  routes = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map(({ Properties: props = {} }) => ({
      routeKey: String(props.RouteKey),
      authorizationType: String(props.AuthorizationType ?? 'NONE'),
      scopes: props.AuthorizationScopes ?? [],
    }));
}, 120_000);

describe('the OpenAPI document and the synthesized app', () => {
  it('document exactly the routes the app serves', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(operations.map((op) => op.routeKey).sort()).toEqual(routes.map((route) => route.routeKey).sort());
  });

  it('require, per operation, the scopes the route\'s authorizer enforces, and nothing on the public route', () => {
    for (const route of routes) {
      const { operation } = operations.find((op) => op.routeKey === route.routeKey)!;
      if (route.authorizationType === 'NONE') {
        expect(operation.security, route.routeKey).toEqual([]);
      } else {
        expect(route.authorizationType, route.routeKey).toBe('JWT');
        // Alternatives, as API Gateway ORs a route's scopes: any one of them lets a token through.
        expect(operation.security, route.routeKey).toEqual(route.scopes.map((scope: string) => ({ [SECURITY_SCHEME]: [scope] })));
        expect(Object.keys(operation.responses), route.routeKey).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with info, a bearer JWT scheme and unique operation ids', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(document.components?.securitySchemes?.[SECURITY_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const ids = operations.map((op) => op.operation.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation described responses, and problem+json for every error', () => {
    for (const { routeKey, operation } of operations) {
      const responses = Object.entries(operation.responses as Record<string, any>);
      expect(responses.length, routeKey).toBeGreaterThan(0);
      expect(responses.some(([status]) => status.startsWith('2')), routeKey).toBe(true);
      for (const [status, response] of responses) {
        expect(status, routeKey).toMatch(/^[1-5]\d\d$/);
        expect(response.description, `${routeKey} ${status}`).toEqual(expect.any(String));
        if (Number(status) >= 400) {
          // The handlers answer problem+json; API Gateway answers its own refusals as JSON `{ "message" }`.
          const media = Object.keys(response.content);
          expect(media.length, `${routeKey} ${status}`).toBeGreaterThan(0);
          expect(['application/problem+json', 'application/json'], `${routeKey} ${status}`).toEqual(expect.arrayContaining(media));
          if (media.includes('application/problem+json')) {
            expect(response.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
          }
          if (media.includes('application/json')) {
            expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GatewayError' });
          }
        }
      }
    }
  });

  it('declares every path parameter of each path template, and no other', () => {
    for (const { routeKey, path, operation } of operations) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = (operation.parameters ?? []).filter((p: any) => p.in === 'path');
      expect(declared.map((p: any) => p.name).sort(), routeKey).toEqual(inTemplate);
      for (const parameter of declared) expect(parameter.required, `${routeKey} ${parameter.name}`).toBe(true);
    }
  });

  it('resolves every $ref and every security requirement', () => {
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of new Set(refs)) {
      expect(ref, ref).toMatch(/^#\//);
      expect(pointerGet(document, ref.slice(2)), ref).toBeDefined();
    }
    for (const { routeKey, operation } of operations) {
      for (const requirement of operation.security) {
        for (const scheme of Object.keys(requirement)) expect(document.components?.securitySchemes, routeKey).toHaveProperty(scheme);
      }
    }
  });

  it('holds only schemas that compile as JSON Schema 2020-12', () => {
    const ajv = documentAjv();
    const schemas = Object.keys(document.components?.schemas ?? {});
    expect(schemas).toEqual(expect.arrayContaining(['Order', 'PlaceOrderRequest', 'ShipTo', 'Timeline', 'Problem', 'RoutingPolicy']));
    for (const name of schemas) {
      expect(() => ajv.compile({ $ref: `https://order-pipeline.invalid/openapi.json#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('describes the request bodies the handlers accept and refuse', () => {
    const ajv = documentAjv();
    const placeOrder = ajv.compile({ $ref: 'https://order-pipeline.invalid/openapi.json#/components/schemas/PlaceOrderRequest' });
    const valid = {
      channelOrderId: 'WEB-1',
      currency: 'CNY',
      customer: { id: 'c-1', tier: 'vip' },
      lines: [{ sku: 'TEA-001', quantity: 1, unitPrice: 100 }],
      shipTo: { name: 'Li Wei', phone: '+86 138 0013 8000', country: 'CN', region: 'Shanghai', city: 'Shanghai', postalCode: '200000', line1: '88 Century Avenue' },
    };
    expect(placeOrder(valid), JSON.stringify(placeOrder.errors)).toBe(true);
    expect(placeOrder({ ...valid, lines: [] })).toBe(false);
    expect(placeOrder({ ...valid, discount: 5 })).toBe(false);
  });

  it('is served by GET /openapi.json', async () => {
    const response = await invoke(getOpenApi, { method: 'GET', path: '/openapi.json' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

describe('what AWS answers, in the OpenAPI document', () => {
  const responsesOf = (routeKey: string) => operations.find((op) => op.routeKey === routeKey)!.operation.responses as Record<string, any>;

  it('describes API Gateway\'s own 401 and 403 as application/json {"message"} on every token route', () => {
    expect(document.components?.schemas?.GatewayError).toMatchObject({ type: 'object', required: ['message'] });
    for (const { routeKey, operation } of operations.filter((op) => op.operation.security.length > 0)) {
      for (const status of ['401', '403']) {
        expect(Object.keys(operation.responses[status].content), `${routeKey} ${status}`).toContain('application/json');
      }
    }
    // The channel check in the handler is a problem+json 403 besides.
    expect(Object.keys(responsesOf('POST /orders')['403'].content)).toEqual(['application/problem+json', 'application/json']);
    // The carriers' route has no authorizer: its 401 is the handler's signature check.
    expect(Object.keys(responsesOf('POST /carriers/{carrierId}/events')['401'].content)).toEqual(['application/problem+json']);
  });

  it('describes stage throttling (429), 413 and 504 on every operation, as API Gateway answers them', () => {
    for (const { routeKey, operation } of operations) {
      expect(Object.keys(operation.responses), routeKey).toEqual(expect.arrayContaining(['413', '429', '504']));
      expect(Object.keys(operation.responses['429'].content), routeKey).toEqual(['application/json']);
      expect(Object.keys(operation.responses['504'].content), routeKey).toEqual(['application/json']);
    }
  });

  it('describes the response headers: Location on 201, ETag on the policy, Retry-After on 503', () => {
    expect(responsesOf('POST /orders')['201'].headers).toHaveProperty('Location');
    expect(responsesOf('GET /policies/routing')['200'].headers).toHaveProperty('ETag');
    expect(responsesOf('PUT /policies/routing')['200'].headers).toHaveProperty('ETag');
    for (const { routeKey, operation } of operations.filter((op) => op.operation.responses['503'])) {
      expect(operation.responses['503'].headers, routeKey).toHaveProperty('Retry-After');
    }
  });

  it('describes conditional saves of the routing policy: If-Match, 412 and 428', () => {
    const put = operations.find((op) => op.routeKey === 'PUT /policies/routing')!.operation;
    expect(put.parameters.find((p: any) => p.in === 'header' && p.name === 'If-Match')).toBeDefined();
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['412', '428']));
  });

  it('names its servers and its license', () => {
    expect(document.servers?.length).toBeGreaterThan(0);
    expect(document.info.license).toMatchObject({ name: 'Apache 2.0', identifier: 'Apache-2.0' });
  });
});

describe('the OpenAPI document under outside validators', () => {
  it('passes @apidevtools/swagger-parser validation', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('passes redocly lint with the recommended ruleset, without errors or warnings', () => {
    const directory = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(directory, 'openapi.json');
      writeFileSync(file, JSON.stringify(document, null, 2));
      const cli = new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url).pathname;
      const run = spawnSync(process.execPath, [cli, 'lint', '--extends', 'recommended', '--format', 'json', file], {
        cwd: directory,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
      expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(run.status).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
