/**
 * `npm start` as a user runs it, in a child process in its own process group (as a terminal's
 * foreground job): a first start runs no partner whose secret is missing, so an order leaves no
 * failed delivery on the feed, and Ctrl-C stops everything while a feed client (`npm run tail`)
 * is connected: the feed ends, the process exits 0 and nothing polls a stopped database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { EXAMPLE_ORDER } from '../../local/demo-data.ts';
import type { FeedItem } from '../../local/feed.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'npm-start-'));
let child: ChildProcess | undefined;
let output = '';

afterAll(async () => {
  // Only when the test failed before its Ctrl-C stopped npm start: stop it (and its Java) the same way.
  if (child?.exitCode === null && child.pid) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    process.kill(-child.pid, 'SIGINT');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function waitForOutput(pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = output.match(pattern);
      if (match) resolve(match);
      else if (child!.exitCode !== null) reject(new Error(`npm start exited with ${child!.exitCode}:\n${output}`));
      else setTimeout(check, 100);
    };
    check();
  });
}

/** Polls the local cloud's events of the order until one of `detailType` is among them; throws naming those seen. */
async function waitForEvent(base: string, orderId: string, detailType: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await (await fetch(`${base}/_local/events?orderId=${orderId}`)).json()) as Array<{ 'detail-type': string }>;
    const types = events.map((event) => event['detail-type']);
    if (types.includes(detailType)) return;
    if (Date.now() > deadline) throw new Error(`no ${detailType} for order ${orderId} within ${timeoutMs} ms; its events: ${types.join(', ') || 'none'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the SSE feed until it ends; resolves with every item it carried. */
async function readFeed(response: Response): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (message.startsWith('data: ')) items.push(JSON.parse(message.slice(6)) as FeedItem);
    }
  }
  return items;
}

it('runs no partner without its secret, and stops on Ctrl-C with a feed client connected', { timeout: 480_000 }, async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['local/start.ts', '--in-memory', '--port', String(port)], {
    cwd: ROOT,
    // The user's own secrets file would decide which partners run: this start has none.
    env: { ...process.env, LOCAL_SECRETS_FILE: join(scratch, 'no-secrets.json'), BASE_URL: '', PORT: '' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  const [, token] = await waitForOutput(/TOKEN=(\S+)\n/);
  const [, dynamodbEndpoint] = output.match(/DynamoDB Local at (http:\/\/127\.0\.0\.1:\d+)/)!;
  expect(output).toContain('partner acme-warehouse not run: no local secret "order-pipeline/partners/acme-warehouse"');
  expect(output).toMatch(/Partners: +erp run locally; not run, their secrets are not in .*: acme-warehouse/);

  const base = `http://127.0.0.1:${port}`;
  const feedResponse = await fetch(`${base}/_local/feed`);
  const feed = readFeed(feedResponse);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // TEA-001 from wh-shanghai: an OrderRouted the example acme-warehouse partner would receive.
  const placed = await fetch(`${base}/orders`, { method: 'POST', headers, body: JSON.stringify({ ...EXAMPLE_ORDER, channelOrderId: `START-${Date.now()}` }) });
  expect(placed.status).toBe(201);
  const { orderId } = (await placed.json()) as { orderId: string };
  let status = '';
  while (!['SHIPMENT_REQUESTED', 'FAILED', 'REJECTED'].includes(status) && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = ((await (await fetch(`${base}/orders/${orderId}`, { headers })).json()) as { status: string }).status;
  }
  expect(status).toBe('SHIPMENT_REQUESTED');
  // The order's events reach the bus through the table's stream, a poll behind its status: stopping as soon
  // as the status shows would race the publisher for OrderRouted. Wait for its last event first.
  await waitForEvent(base, orderId, 'OrderShipmentRequested');

  process.kill(-child.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  const items = await feed;
  expect(items.filter((item) => item.kind === 'event').map((item) => (item.kind === 'event' ? item.event['detail-type'] : ''))).toContain('OrderRouted');
  expect(items.filter((item) => item.kind === 'dead-letter' || (item.kind === 'delivery' && item.outcome === 'failed'))).toEqual([]);
  expect(output).toContain('SIGINT: stopping');
  expect(output).not.toContain('ECONNREFUSED');
  // The database went with it.
  await expect(fetch(dynamodbEndpoint!)).rejects.toThrow();
});
