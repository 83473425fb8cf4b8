/**
 * Business metrics as CloudWatch receives them: the EMF documents Powertools writes, parsed.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { orderEventOf } from '../../functions/domain/events.ts';
import { placeOrder, type OrderStatus } from '../../functions/domain/order.ts';
import { ORDER_METRICS, recordOrderMetrics, REJECTION_REASON_DIMENSION } from '../../functions/publisher/metrics.ts';
import { orderThrough } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';

const PLACED_AT = '2025-04-02T08:09:58.500Z';

function published(status: OrderStatus) {
  const order = orderThrough(placeOrder(orderRequest(), '01JMETRICS0000000000000000', PLACED_AT), status);
  return { event: orderEventOf(order), placedAt: order.placedAt };
}

type EmfDocument = { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } } & Record<string, unknown>;

/** Every EMF document written while `run` ran, flushed at the end like the middleware does. */
function emitted(run: (metrics: Metrics) => void): EmfDocument[] {
  // POWERTOOLS_DEV makes Powertools write to the global console, where the test can read it.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  // Development mode would otherwise also switch emission off.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const metrics = new Metrics({ namespace: 'OrderPipeline', serviceName: 'order-events' });
  run(metrics);
  metrics.publishStoredMetrics();
  return log.mock.calls.map(([line]) => JSON.parse(String(line)) as EmfDocument);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('recordOrderMetrics', () => {
  it('counts the business transitions and nothing for the others', () => {
    const [document] = emitted((metrics) =>
      recordOrderMetrics(metrics, (['PLACED', 'STOCK_LOCKED', 'ROUTED', 'CANCELLED', 'FAILED'] as const).map(published)),
    );
    expect(document?.[ORDER_METRICS.placed]).toBe(1);
    expect(document?.[ORDER_METRICS.cancelled]).toBe(1);
    expect(document?.[ORDER_METRICS.failed]).toBe(1);
    const names = document?._aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name);
    expect(names?.sort()).toEqual([ORDER_METRICS.cancelled, ORDER_METRICS.failed, ORDER_METRICS.placed].sort());
  });

  it('emits placed-to-shipment-requested latency in milliseconds at the shipment request', () => {
    const [document] = emitted((metrics) => recordOrderMetrics(metrics, [published('SHIPMENT_REQUESTED')]));
    // orderThrough requests the shipment (third transition) at 08:12:00.000Z, 121.5 s after placement.
    expect(document?.[ORDER_METRICS.placedToShipmentRequested]).toBe(121_500);
    expect(document?.[ORDER_METRICS.shipmentRequested]).toBe(1);
    const latency = document?._aws.CloudWatchMetrics[0]?.Metrics.find((metric) => metric.Name === ORDER_METRICS.placedToShipmentRequested);
    expect(latency?.Unit).toBe('Milliseconds');
  });

  it('counts a rejection in total and by reason', () => {
    const documents = emitted((metrics) => recordOrderMetrics(metrics, [published('REJECTED')]));
    const byReason = documents.find((document) => document[REJECTION_REASON_DIMENSION] !== undefined);
    expect(byReason?.[REJECTION_REASON_DIMENSION]).toBe('NO_ROUTE');
    expect(byReason?.[ORDER_METRICS.rejected]).toBe(1);
    expect(byReason?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain(REJECTION_REASON_DIMENSION);
    const total = documents.find((document) => document[REJECTION_REASON_DIMENSION] === undefined);
    expect(total?.[ORDER_METRICS.rejected]).toBe(1);
  });
});
