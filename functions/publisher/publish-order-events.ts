/**
 * The transactional outbox's relay: reads the orders table's stream and puts one
 * event per order transition on the bus. A write that did not happen never
 * produces an event, and an event that could not be put is retried by the stream
 * (partial batch failure) and, after that, lands in the dead-letter queue.
 *
 * Every event is checked against its published schema on the way (`orderEventOf`).
 * One that breaks it is held back like an event EventBridge refused: an event that
 * reached partners cannot be recalled (and may carry personal data it must not),
 * whereas a held-back one is retried, dead-lettered with an alarm, and redriven
 * once the code is fixed; consumers see the gap in `sequence` meanwhile.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventContractBroken, orderEventOf } from '../domain/events.ts';
import { OrderEventPublisher } from '../events/order-event-publisher.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { requiredEnv } from '../environment.ts';
import { newOrderVersionOf, orderIdOfRecord } from '../store/order-stream.ts';
import { PUBLISHER_METRICS, recordOrderMetrics, type PublishedTransition } from './metrics.ts';
import { streamBatchHandler } from './stream-batch-handler.ts';

/** The transition a stream record stands for: only order items whose version moved are transitions. */
export function transitionOf(record: DynamoDBRecord): PublishedTransition | undefined {
  const order = newOrderVersionOf(record);
  return order && { event: orderEventOf(order), placedAt: order.placedAt };
}

let publisher: OrderEventPublisher | undefined;

function eventPublisher(): OrderEventPublisher {
  publisher ??= new OrderEventPublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), {
    busName: requiredEnv('EVENT_BUS_NAME'),
    source: requiredEnv('EVENT_SOURCE'),
  });
  return publisher;
}

export async function publishStreamBatch(
  event: DynamoDBStreamEvent,
  target: Pick<OrderEventPublisher, 'publish'> = eventPublisher(),
): Promise<DynamoDBBatchResponse> {
  const pending: Array<{ record: DynamoDBRecord; transition: PublishedTransition }> = [];
  // From the first event that breaks its contract on, records wait for the stream's retry, in order.
  let heldBack: DynamoDBRecord[] = [];
  for (const [index, record] of event.Records.entries()) {
    try {
      const transition = transitionOf(record);
      if (transition) pending.push({ record, transition });
    } catch (error) {
      if (!(error instanceof EventContractBroken)) throw error;
      heldBack = event.Records.slice(index);
      metrics.addMetric(PUBLISHER_METRICS.breakingContract, 'Count', 1);
      logger.error('An order event breaks its published schema; holding it back', {
        orderId: orderIdOfRecord(record),
        issues: error.issues,
      });
      break;
    }
  }
  const result = await target.publish(pending.map(({ transition }) => transition.event));
  metrics.addMetric(PUBLISHER_METRICS.published, 'Count', result.published);
  const accepted = result.firstFailedIndex === undefined ? pending : pending.slice(0, result.firstFailedIndex);
  recordOrderMetrics(
    metrics,
    accepted.map(({ transition }) => transition),
  );
  const unpublished = pending.slice(accepted.length);
  if (unpublished.length > 0) {
    metrics.addMetric(PUBLISHER_METRICS.failed, 'Count', unpublished.length);
    logger.warn('Some order events could not be published; the stream will redeliver them', {
      failed: unpublished.length,
      firstEventId: unpublished[0]?.transition.event.eventId,
      error: result.lastError,
    });
  }
  // Lambda resumes from the lowest failed sequence number, so everything after it is redelivered in order.
  return {
    batchItemFailures: [...unpublished.map(({ record }) => record), ...heldBack].map((record) => ({
      itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
    })),
  };
}

export const handler = streamBatchHandler((event) => publishStreamBatch(event));
