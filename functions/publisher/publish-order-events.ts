/**
 * The transactional outbox's relay: reads the orders table's stream and puts one
 * event per order transition on the bus. A write that did not happen never
 * produces an event, and an event that could not be put is retried by the stream
 * (partial batch failure) and, after that, lands in the dead-letter queue.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { orderEventOf, type OrderEvent } from '../domain/events.ts';
import { OrderEventPublisher } from '../events/order-event-publisher.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { requiredEnv } from '../store/dynamodb.ts';
import { ENTITY } from '../store/keys.ts';
import { fromOrderItem } from '../store/order-item.ts';

type Image = Record<string, AttributeValue>;

/** The event a stream record stands for: only order items whose version moved are transitions. */
export function transitionEventOf(record: DynamoDBRecord): OrderEvent | undefined {
  if (record.eventName === 'REMOVE') return undefined;
  const newImage = record.dynamodb?.NewImage as Image | undefined;
  if (!newImage || newImage.entityType?.S !== ENTITY.order) return undefined;
  const oldVersion = (record.dynamodb?.OldImage as Image | undefined)?.version?.N;
  if (oldVersion !== undefined && oldVersion === newImage.version?.N) return undefined;
  return orderEventOf(fromOrderItem(unmarshall(newImage)));
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
  const pending = event.Records.flatMap((record) => {
    const orderEvent = transitionEventOf(record);
    return orderEvent ? [{ record, orderEvent }] : [];
  });
  const result = await target.publish(pending.map(({ orderEvent }) => orderEvent));
  metrics.addMetric('OrderEventsPublished', 'Count', result.published);
  if (result.firstFailedIndex === undefined) return { batchItemFailures: [] };
  // Lambda resumes from the lowest failed sequence number, so everything after it is redelivered in order.
  const failed = pending.slice(result.firstFailedIndex);
  metrics.addMetric('OrderEventsFailed', 'Count', failed.length);
  logger.warn('Some order events could not be published; the stream will redeliver them', {
    failed: failed.length,
    firstEventId: failed[0]?.orderEvent.eventId,
    error: result.lastError,
  });
  return {
    batchItemFailures: failed.map(({ record }) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })),
  };
}

export const handler = middy((event: DynamoDBStreamEvent) => publishStreamBatch(event))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
