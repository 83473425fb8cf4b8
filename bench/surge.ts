/**
 * A surge on the local cloud: a base rate, then a multiple of it (ten times by default), then nothing, with
 * the proof columns the mission asks for. Half the orders buy a scarce SKU, so the
 * surge also races for stock.
 * - lost: accepted orders that never reached a final or shipment-requested status;
 * - duplicated: a channel order id stored twice, or an order shipped twice
 *   (more than one OrderShipmentRequested);
 * - oversold: the scarce SKU's allocations exceed its on-hand, or any counter of any
 *   of its shards is negative.
 * Every request is retried on 5xx like a channel would, with the same body.
 */
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '../local/local-cloud.ts';
import type { SkuStock } from '../functions/domain/stock.ts';
import { SCOPES } from '../functions/http/access.ts';
import { benchOrder } from './orders.ts';

export interface SurgeOptions {
  baseRate: number;
  baseSeconds: number;
  surgeSeconds: number;
  /** The surge's rate ÷ the base rate. @default 10 */
  multiplier?: number;
  /** Called every 250 ms from the first order until every accepted order has settled (e.g. to sample a queue's depth). */
  sample?: () => void;
  /** SKU with plenty of stock, and a scarce SKU with `scarceUnits` units over some shards. */
  plentySku: string;
  scarceSku: string;
  scarceUnits: number;
  /** Reads the scarce SKU's shard items as stored. */
  readStock: (sku: string) => Promise<SkuStock | undefined>;
  drainTimeoutSeconds?: number;
}

export interface SurgeResult {
  offered: number;
  accepted: number;
  refusedAtIntake: number;
  shipmentRequested: number;
  rejected: number;
  failed: number;
  /** Seconds from the end of the surge until every accepted order was settled. */
  drainSeconds: number;
  lost: number;
  duplicated: number;
  oversold: number;
}

const SETTLED = new Set(['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'FAILED', 'CANCELLED']);

const CHANNEL = 'surge';

/** Retried on 5xx and on a dropped connection, with the same body, as a channel would; 0 when every attempt failed to connect. */
async function place(url: string, body: unknown, authorization: string): Promise<{ status: number; orderId?: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { orderId?: string };
      if (response.status < 500 || attempt === 5) return { status: response.status, ...(json.orderId ? { orderId: json.orderId } : {}) };
    } catch {
      if (attempt === 5) return { status: 0 };
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

export async function measureSurge(cloud: LocalCloud, options: SurgeOptions): Promise<SurgeResult> {
  const authorization = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: CHANNEL })}`;
  const shipped = new Map<string, number>();
  const unsubscribe = cloud.feed.subscribe((item) => {
    if (item.kind !== 'event' || item.event['detail-type'] !== 'OrderShipmentRequested') return;
    const orderId = (item.event.detail as { orderId?: string }).orderId;
    if (orderId) shipped.set(orderId, (shipped.get(orderId) ?? 0) + 1);
  });
  const phases = [
    { rate: options.baseRate, seconds: options.baseSeconds },
    { rate: options.baseRate * (options.multiplier ?? 10), seconds: options.surgeSeconds },
  ];
  const placements: Promise<{ status: number; orderId?: string; channelOrderId: string }>[] = [];
  let n = 0;
  const sampler = options.sample ? setInterval(options.sample, 250) : undefined;
  let phaseStart = performance.now();
  for (const phase of phases) {
    const count = Math.round(phase.rate * phase.seconds);
    for (let i = 0; i < count; i++) {
      const wait = phaseStart + (i * 1000) / phase.rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = benchOrder(n % 2 === 0 ? options.scarceSku : options.plentySku, { channel: CHANNEL, customer: n, region: 'Zhejiang', city: 'Hangzhou' });
      n += 1;
      placements.push(place(cloud.url, body, authorization).then((result) => ({ ...result, channelOrderId: body.channelOrderId })));
    }
    phaseStart += phase.seconds * 1000;
  }
  const surgeEnded = performance.now();
  const placed = await Promise.all(placements);
  // 202: taken by the storage-first intake, to be landed by its drainer.
  const accepted = placed.filter((p) => (p.status === 201 || p.status === 200 || p.status === 202) && p.orderId);

  // Drain: poll until every accepted order is settled or the timeout passes.
  const statuses = new Map<string, string>();
  const deadline = performance.now() + (options.drainTimeoutSeconds ?? 180) * 1000;
  for (;;) {
    const open = accepted.filter((p) => !SETTLED.has(statuses.get(p.orderId!) ?? ''));
    if (open.length === 0 || performance.now() > deadline) break;
    for (let i = 0; i < open.length; i += 20) {
      await Promise.all(
        open.slice(i, i + 20).map(async (p) => {
          // A dropped connection is polled again next round.
          const response = await fetch(`${cloud.url}/orders/${p.orderId}`, { headers: { authorization } }).catch(() => undefined);
          if (response?.ok) statuses.set(p.orderId!, ((await response.json()) as { status: string }).status);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const drainSeconds = (performance.now() - surgeEnded) / 1000;
  clearInterval(sampler);
  await cloud.settle().catch(() => undefined);
  unsubscribe();

  const count = (status: string) => accepted.filter((p) => statuses.get(p.orderId!) === status).length;
  const byChannelOrderId = new Map<string, Set<string>>();
  for (const p of accepted) byChannelOrderId.set(p.channelOrderId, (byChannelOrderId.get(p.channelOrderId) ?? new Set()).add(p.orderId!));
  const duplicated =
    [...byChannelOrderId.values()].filter((ids) => ids.size > 1).length + [...shipped.values()].filter((times) => times > 1).length;

  const stock = await options.readStock(options.scarceSku);
  let allocated = 0;
  let onHand = 0;
  let negative = 0;
  for (const shard of stock?.shards ?? []) {
    if (shard.available < 0 || shard.reserved < 0) negative += 1;
    for (const w of Object.values(shard.warehouses)) {
      if (w.free < 0) negative += 1;
      onHand += w.onHand;
      allocated += w.onHand - w.free;
    }
  }
  return {
    offered: placed.length,
    accepted: accepted.length,
    refusedAtIntake: placed.length - accepted.length,
    shipmentRequested: count('SHIPMENT_REQUESTED'),
    rejected: count('REJECTED'),
    failed: count('FAILED'),
    drainSeconds,
    lost: accepted.filter((p) => !SETTLED.has(statuses.get(p.orderId!) ?? '')).length,
    duplicated,
    oversold: Math.max(0, allocated - Math.min(onHand, options.scarceUnits)) + negative,
  };
}
