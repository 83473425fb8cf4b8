/**
 * Fault injection for the local cloud, in front of the AWS endpoints the handlers call: a proxy
 * that answers a share of DynamoDB writes with ProvisionedThroughputExceededException (what
 * DynamoDB sends when a partition is hot) and fails a share of PutEvents entries with
 * InternalFailure (a partial failure: the call succeeds, some entries do not). The handlers see
 * exactly what AWS would send them; nothing in business code knows about faults.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  /** The endpoint requests are forwarded to. */
  upstream: string;
  /** Share of DynamoDB write requests refused as throttled (0-1). */
  throttledWriteRate?: number;
  /** Share of PutEvents entries failed with InternalFailure (0-1). */
  failedEventEntryRate?: number;
  random?: () => number;
}

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by kind. */
  injected: { throttledWrites: number; failedEventEntries: number };
  stop(): Promise<void>;
}

const DYNAMODB_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'].map((op) => `DynamoDB_20120810.${op}`);

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(upstream: URL, request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, host: upstream.host, 'content-length': String(body.length) };
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers }, async (response) => {
      resolve({ status: response.statusCode ?? 500, headers: response.headers as Record<string, string>, body: await bodyOf(response) });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const random = options.random ?? Math.random;
  const injected = { throttledWrites: 0, failedEventEntries: 0 };

  const server: Server = createServer(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      let body = await bodyOf(request);
      if (DYNAMODB_WRITES.includes(target) && random() < (options.throttledWriteRate ?? 0)) {
        injected.throttledWrites++;
        const text = JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
        });
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
        return response.end(text);
      }
      let failed: number[] = [];
      let entryCount = 0;
      if (target === 'AWSEvents.PutEvents' && (options.failedEventEntryRate ?? 0) > 0) {
        const input = JSON.parse(body.toString('utf8')) as { Entries: unknown[] };
        entryCount = input.Entries.length;
        failed = input.Entries.flatMap((_, i) => (random() < options.failedEventEntryRate! ? [i] : []));
        if (failed.length === entryCount) failed = failed.slice(1);
        body = Buffer.from(JSON.stringify({ ...input, Entries: input.Entries.filter((_, i) => !failed.includes(i)) }));
      }
      const answer = await forward(upstream, request, body);
      if (failed.length > 0 && answer.status === 200) {
        injected.failedEventEntries += failed.length;
        const result = JSON.parse(answer.body.toString('utf8')) as { FailedEntryCount: number; Entries: unknown[] };
        const delivered = [...result.Entries];
        const entries = Array.from({ length: entryCount }, (_, i) =>
          failed.includes(i) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected partial failure' } : delivered.shift(),
        );
        const text = JSON.stringify({ FailedEntryCount: result.FailedEntryCount + failed.length, Entries: entries });
        response.writeHead(200, { 'content-type': answer.headers['content-type'] ?? 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
        return response.end(text);
      }
      const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers;
      response.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
      response.end(answer.body);
    } catch (error) {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
