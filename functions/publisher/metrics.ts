/**
 * Business metrics, emitted where a transition becomes an event: one place sees every order's every change,
 * whichever function made it. Counted only once EventBridge has accepted the event, so a batch the stream
 * redelivers counts what it publishes anew and not what it had published before.
 *
 * The stack's dashboard and alarms (lib/operations-dashboard.ts, lib/operations-alarms.ts) read these names.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DETAIL_TYPES, type OrderEvent, type PublishedEvent } from '../domain/events.ts';

/** How the outbox relay itself is doing. */
export const PUBLISHER_METRICS = {
  published: 'OrderEventsPublished',
  /** Refused by EventBridge (throttled, or an entry error): the stream redelivers them. */
  failed: 'OrderEventsFailed',
  /** Held back because they break their published schema: a code bug, the stream stalls until fixed. */
  breakingContract: 'OrderEventsBreakingContract',
} as const;

/** What happens to orders. */
export const ORDER_METRICS = {
  placed: 'OrdersPlaced',
  shipmentRequested: 'OrdersShipmentRequested',
  rejected: 'OrdersRejected',
  cancelled: 'OrdersCancelled',
  failed: 'OrdersFailed',
  /** Milliseconds from placement to the shipment request, emitted at the shipment request. */
  placedToShipmentRequested: 'PlacedToShipmentRequestedLatency',
} as const;
export type OrderMetricName = (typeof ORDER_METRICS)[keyof typeof ORDER_METRICS];
export type PublisherMetricName = (typeof PUBLISHER_METRICS)[keyof typeof PUBLISHER_METRICS] | OrderMetricName;

/** Extra dimension of {@link ORDER_METRICS.rejected}, next to the total: a closed set of reasons, so bounded. */
export const REJECTION_REASON_DIMENSION = 'reason';

const COUNTED: Partial<Record<OrderEvent['type'], OrderMetricName>> = {
  [DETAIL_TYPES.PLACED]: ORDER_METRICS.placed,
  [DETAIL_TYPES.SHIPMENT_REQUESTED]: ORDER_METRICS.shipmentRequested,
  [DETAIL_TYPES.REJECTED]: ORDER_METRICS.rejected,
  [DETAIL_TYPES.CANCELLED]: ORDER_METRICS.cancelled,
  [DETAIL_TYPES.FAILED]: ORDER_METRICS.failed,
};

/** A published transition and when its order was placed (a return's: when it was requested). */
export interface PublishedTransition {
  readonly event: PublishedEvent;
  readonly placedAt: string;
}

export function recordOrderMetrics(metrics: Metrics, published: readonly PublishedTransition[]): void {
  for (const { event, placedAt } of published) {
    const name = COUNTED[event.type as OrderEvent['type']];
    if (name) metrics.addMetric(name, MetricUnit.Count, 1);
    if (event.type === DETAIL_TYPES.REJECTED) {
      const byReason = metrics.singleMetric();
      byReason.addDimension(REJECTION_REASON_DIMENSION, event.data.reason);
      byReason.addMetric(ORDER_METRICS.rejected, MetricUnit.Count, 1);
    }
    if (event.type === DETAIL_TYPES.SHIPMENT_REQUESTED) {
      metrics.addMetric(
        ORDER_METRICS.placedToShipmentRequested,
        MetricUnit.Milliseconds,
        Date.parse(event.occurredAt) - Date.parse(placedAt),
      );
    }
  }
}
