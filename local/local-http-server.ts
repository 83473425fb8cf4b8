/**
 * The HTTP API on a local port: the template's routes with API Gateway's JWT authorization in
 * front of their functions, and the local cloud's own `/_local/` endpoints and the operations
 * console (`/console/`) beside them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemResponse, problems } from '../functions/http/problem.ts';
import { compileRoutes, headersOf, MALFORMED_PATH, readBody, toEvent, writeJson, writeResult } from './apigateway/http-api.ts';
import { authorize, wwwAuthenticate } from './apigateway/jwt-authorizer.ts';
import { isConsolePath, serveConsole } from './console-files.ts';
import type { LocalSigningKey } from './dev-tokens.ts';
import { hopClock, type HopRecorder } from './hop-recorder.ts';
import { OperatorRoutes, type OperatorView } from './operator-routes.ts';
import type { RouteTopology } from './topology.ts';

export interface LocalHttpServer {
  port: number;
  /** Ends open feed streams and idle connections, then waits for requests under way. */
  stop(): Promise<void>;
}

export async function startHttpServer(
  port: number,
  routes: RouteTopology[],
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  signingKey: LocalSigningKey,
  view: OperatorView,
  /** Told when each request to a route arrived and was answered (`npm run bench:latency`). */
  recorder?: HopRecorder,
): Promise<LocalHttpServer> {
  const match = compileRoutes(routes);
  const operatorRoutes = new OperatorRoutes(view);
  const server = createServer(async (request, response) => {
    const receivedAt = recorder ? hopClock() : 0;
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (url.pathname.startsWith('/_local/')) return await operatorRoutes.handle(url, request, response);
      if (isConsolePath(url.pathname) && request.method === 'GET') return await serveConsole(url.pathname, response);
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
      const { routeKey, functionLogicalId } = route.route;
      recorder?.mark({ kind: 'http', routeKey, functionLogicalId, receivedAt, answeredAt: hopClock(), status: response.statusCode });
    } catch {
      if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' });
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      operatorRoutes.closeFeeds();
      server.closeIdleConnections();
      return closed;
    },
  };
}
