/**
 * The operations console's static files (console/ in the repository), served by the local
 * cloud at `/console/`. The page itself talks only to the public HTTP API, as it would
 * against a deployed stack.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PATH = '/console/';
const ROOT = fileURLToPath(new URL('../console/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const isConsolePath = (pathname: string): boolean => pathname === '/console' || pathname.startsWith(CONSOLE_PATH);

export async function serveConsole(pathname: string, response: ServerResponse): Promise<void> {
  // Relative links in the page resolve against the directory, so the bare path redirects to it.
  if (pathname === '/console') {
    response.writeHead(301, { location: CONSOLE_PATH }).end();
    return;
  }
  const relative = normalize(decodeURIComponent(pathname.slice(CONSOLE_PATH.length)) || 'index.html');
  const type = TYPES[extname(relative)];
  if (relative.startsWith('..') || !type) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  const body = await readFile(join(ROOT, relative)).catch(() => undefined);
  if (!body) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(body);
}
