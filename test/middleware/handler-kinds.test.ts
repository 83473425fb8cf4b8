/**
 * Every handler kind flushes its metrics, logs with the Lambda context and maps errors the
 * way its caller needs, because each is built by its kind's one factory. The partner
 * enrichment had lost its metrics flush when its stack was assembled by hand.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as enrich } from '../../functions/partners/enrich-partner-event.ts';
import { handler as publish } from '../../functions/publisher/publish-order-events.ts';
import { metrics } from '../../functions/observability.ts';
import { httpHandler, json } from '../../functions/http/http-handler.ts';
import { stepHandler, stepInputSchema } from '../../functions/workflow/step-handler.ts';
import { lambdaContext, httpEvent } from '../support/http-event.ts';
import { orderKey } from '../../functions/store/keys.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ORDER_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';

beforeAll(() => {
  process.env.ORDERS_TABLE_NAME = 'orders-mock';
  // A field kept in clear, so the enrichment needs no KMS here (test/local-cloud/personal-data.test.ts opens sealed ones).
  process.env.PERSONAL_DATA_FIELDS = 'customer.id';
  process.env.EVENT_BUS_NAME = 'bus-mock';
  process.env.EVENT_SOURCE = 'order-pipeline';
});
afterEach(() => {
  documents.reset();
  vi.restoreAllMocks();
});

const flushes = () => vi.spyOn(metrics, 'publishStoredMetrics');

describe('handler kinds', () => {
  it('the partner enrichment flushes its metrics after every invocation', async () => {
    // The order item and its personal-data item are read in one Query; this order has only the former.
    documents.on(QueryCommand).resolves({ Items: [{ sk: orderKey(ORDER_ID).sk, customer: { id: 'cust-li-wei' } }] });
    const flushed = flushes();
    const message = { messageId: 'm-1', body: JSON.stringify({ detail: { orderId: ORDER_ID, type: 'OrderShipmentRequested', data: { shipTo: { city: 'Shanghai' } } } }) };
    const [event] = await enrich([message], lambdaContext());
    expect(JSON.stringify(event)).toContain('cust-li-wei');
    expect(flushed).toHaveBeenCalledTimes(1);
  });

  it('the stream batch publisher flushes its metrics after every invocation', async () => {
    const flushed = flushes();
    expect(await publish({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(flushed).toHaveBeenCalledTimes(1);
  });

  it('HTTP handlers flush their metrics, and answer a thrown error as problem+json', async () => {
    const flushed = flushes();
    const ok = httpHandler(async () => json(200, { ok: true }));
    const failing = httpHandler(async () => {
      throw new Error('boom');
    });
    expect((await ok(httpEvent({ method: 'GET', path: '/x' }), lambdaContext())).statusCode).toBe(200);
    const failed = await failing(httpEvent({ method: 'GET', path: '/x' }), lambdaContext());
    expect(failed).toMatchObject({ statusCode: 500, headers: { 'Content-Type': 'application/problem+json' } });
    expect(flushed).toHaveBeenCalledTimes(2);
  });

  it('workflow steps flush their metrics even when the step fails, and keep the error\'s name', async () => {
    const flushed = flushes();
    const step = stepHandler(stepInputSchema, async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    await expect(step({ orderId: ORDER_ID }, lambdaContext())).rejects.toMatchObject({ name: 'TransientError' });
    expect(flushed).toHaveBeenCalledTimes(1);
  });
});
