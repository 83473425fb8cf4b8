/**
 * Intake: HTTP load on `POST /orders` with autocannon, at fixed rates and at
 * saturation. Every request carries a fresh channel order id (autocannon's
 * `[<id>]` replacement), so each one creates an order rather than replaying the
 * first. Percentiles come from every response time (autocannon's summary has no
 * p95); the generator shares the process with the local cloud's HTTP server.
 */
import autocannon from 'autocannon';
import { benchOrder } from './orders.ts';
import { percentile } from './percentile.ts';

export interface IntakeOptions {
  url: string;
  sku: string;
  seconds: number;
  connections: number;
  /** Requests per second offered; omitted = as fast as the connections allow (saturation). */
  rate?: number;
  headers?: Record<string, string>;
}

export interface IntakeResult {
  offeredPerSecond: number | 'saturation';
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** 201 Created: what a new order answers. */
  created: number;
  /** Any other status, connection errors and timeouts. */
  errors: number;
}


export async function measureIntake(options: IntakeOptions): Promise<IntakeResult> {
  const body = JSON.stringify({ ...benchOrder(options.sku), channelOrderId: 'INTAKE-[<id>]' });
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}/orders`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body,
        idReplacement: true,
        connections: options.connections,
        duration: options.seconds,
        ...(options.rate ? { overallRate: options.rate } : {}),
      },
      (error: unknown, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  return {
    offeredPerSecond: options.rate ?? 'saturation',
    connections: options.connections,
    seconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    created: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
