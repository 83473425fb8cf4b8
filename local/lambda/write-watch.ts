/**
 * When the last DynamoDB write a thread made was answered: the write is committed by then, so
 * the hop breakdown (`npm run bench:latency`) can time a write's wait for the stream poller from
 * its commit rather than from the handler's return, which under load comes tens of milliseconds
 * later. Read from node's `http.client.response.finish` diagnostics channel, so the handlers and
 * their SDK clients are untouched; one header comparison per response.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

const WRITE_OPERATIONS = /^DynamoDB_\d+\.(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)$/;

/** Writes answered so far in this thread, and when the last one was (epoch ms). */
export const writesAnswered = { count: 0, lastAt: Number.NaN };

subscribe('http.client.response.finish', (message) => {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  const target = request.getHeader('x-amz-target');
  if (response.statusCode !== 200 || typeof target !== 'string' || !WRITE_OPERATIONS.test(target)) return;
  writesAnswered.count += 1;
  writesAnswered.lastAt = performance.timeOrigin + performance.now();
});
