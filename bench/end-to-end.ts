/**
 * End to end on the local cloud: orders posted over HTTP at a fixed rate, timed
 * from the request until their OrderShipmentRequested event is on the bus (the
 * feed sees it as the bus delivers it). Everything runs on this machine: the
 * figures compare designs and runs on the same machine, not AWS latencies.
 */
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '../local/local-cloud.ts';
import { SCOPES } from '../functions/http/access.ts';
import { benchOrder } from './orders.ts';
import { percentile } from './percentile.ts';

export interface EndToEndOptions {
  /** Orders per second offered. */
  rate: number;
  seconds: number;
  /** Distinct SKUs the orders spread over (stock must exist for them). */
  skus: readonly string[];
  /** How long to wait for the last orders after the offered load ends. */
  drainSeconds?: number;
}

export interface EndToEndResult {
  offeredPerSecond: number;
  placed: number;
  shipmentRequested: number;
  /** Orders that did not reach SHIPMENT_REQUESTED in time (rejected, failed or still running). */
  other: number;
  intakeP50Ms: number;
  intakeP99Ms: number;
  endToEndP50Ms: number;
  endToEndP95Ms: number;
  endToEndP99Ms: number;
  /**
   * From the table write to the event's arrival on the bus, over every event of the run's orders:
   * the event's `occurredAt` (stamped by the handler just before its conditional write) to the
   * moment the local bus delivers it, both on this machine's clock.
   */
  writeToBusP50Ms: number;
  writeToBusP99Ms: number;
  /** Orders that reached SHIPMENT_REQUESTED per second, from the first post to the last event. */
  sustainedPerSecond: number;
}


export async function measureEndToEnd(cloud: LocalCloud, options: EndToEndOptions): Promise<EndToEndResult> {
  const postedAt = new Map<string, number>();
  const arrivedAt = new Map<string, number>();
  const writeToBus: Array<{ orderId: string; ms: number }> = [];
  const unsubscribe = cloud.feed.subscribe((item) => {
    if (item.kind !== 'event') return;
    const { orderId, occurredAt } = item.event.detail as { orderId?: string; occurredAt?: string };
    if (!orderId) return;
    if (occurredAt) writeToBus.push({ orderId, ms: Date.now() - Date.parse(occurredAt) });
    if (item.event['detail-type'] === 'OrderShipmentRequested') arrivedAt.set(orderId, performance.now());
  });
  const intake: number[] = [];
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  const posts: Promise<void>[] = [];
  const order = benchOrder(options.skus[0]!);
  const authorization = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: order.channel })}`;
  for (let n = 0; n < total; n++) {
    // Open-loop: each order leaves on schedule, whether or not earlier ones have answered.
    const due = started + (n * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    posts.push(
      fetch(`${cloud.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(benchOrder(options.skus[n % options.skus.length]!, { customer: n })),
      }).then(async (response) => {
        const body = (await response.json()) as { orderId?: string };
        intake.push(performance.now() - sent);
        if (response.status === 201 && body.orderId) postedAt.set(body.orderId, sent);
      }),
    );
  }
  await Promise.all(posts);
  const deadline = performance.now() + (options.drainSeconds ?? 30) * 1000;
  while ([...postedAt.keys()].some((id) => !arrivedAt.has(id)) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  unsubscribe();

  const latencies = [...postedAt].flatMap(([id, sent]) => (arrivedAt.has(id) ? [arrivedAt.get(id)! - sent] : [])).sort((a, b) => a - b);
  const lastArrival = Math.max(...[...postedAt.keys()].map((id) => arrivedAt.get(id) ?? 0));
  intake.sort((a, b) => a - b);
  const busLatencies = writeToBus.filter(({ orderId }) => postedAt.has(orderId)).map(({ ms }) => ms).sort((a, b) => a - b);
  return {
    offeredPerSecond: options.rate,
    placed: postedAt.size,
    shipmentRequested: latencies.length,
    other: postedAt.size - latencies.length,
    intakeP50Ms: percentile(intake, 50),
    intakeP99Ms: percentile(intake, 99),
    endToEndP50Ms: percentile(latencies, 50),
    endToEndP95Ms: percentile(latencies, 95),
    endToEndP99Ms: percentile(latencies, 99),
    writeToBusP50Ms: percentile(busLatencies, 50),
    writeToBusP99Ms: percentile(busLatencies, 99),
    sustainedPerSecond: latencies.length / ((lastArrival - started) / 1000),
  };
}
