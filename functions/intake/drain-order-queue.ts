/**
 * The intake queue's drainer: lands each accepted order as POST /orders would have (one
 * transaction with its keys), at the pace the event source mapping's maximum concurrency
 * allows. A repeat lands nothing new; a message that cannot land (a key reused for another
 * request) is retried, then kept in the queue's dead-letter queue for an operator.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { logFailures } from '../middleware/log-failures.ts';
import { withPowertools } from '../middleware/powertools.ts';
import { logger, metrics } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { landQueuedOrder } from '../use-cases/place-order.ts';
import type { AcceptedOrder } from '../use-cases/ports.ts';

const processor = new BatchProcessor(EventType.SQS);

async function land(record: SQSRecord): Promise<void> {
  const accepted = JSON.parse(record.body) as AcceptedOrder;
  try {
    const { created } = await landQueuedOrder(dependencies(), accepted);
    metrics.addMetric(created ? 'QueuedOrdersLanded' : 'QueuedOrdersRepeated', 'Count', 1);
  } catch (error) {
    // The batch answers only the message id; the reason is here, with no more of the order than its id.
    logger.warn('Queued order not landed; its message returns to the queue', { orderId: accepted.order.orderId, error: error as Error });
    throw error;
  }
}

export const handler = withPowertools((event: SQSEvent, context) => processPartialResponse(event, land, processor, { context })).use(
  logFailures('Intake queue batch'),
);
