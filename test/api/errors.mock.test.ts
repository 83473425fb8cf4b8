/**
 * How the HTTP edge answers when AWS misbehaves, with the DynamoDB client mocked:
 * a generic 500 that leaks nothing, and 503 with Retry-After for write conflicts.
 */
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as getOrder } from '../../functions/api/get-order.ts';
import { handler as placeOrder } from '../../functions/api/place-order.ts';
import { requestFingerprint } from '../../functions/use-cases/place-order.ts';
import { invoke, lambdaContext } from '../support/http-event.ts';
import { stepHandler, stepInputSchema } from '../../functions/workflow/step-handler.ts';
import { OutOfStock } from '../../functions/domain/errors.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { useLocalKms } from '../support/dynamodb.ts';

const documents = mockClient(DynamoDBDocumentClient);

beforeAll(() => {
  process.env.ORDERS_TABLE_NAME = 'orders-mock';
  // Placing an order seals its personal values: KMS is the run's local one, only DynamoDB is mocked.
  useLocalKms();
});
afterEach(() => documents.reset());

describe('error mapping', () => {
  it('answers AWS throttling and timeouts (after the SDK retried) with 503, and the workflow step throws TransientError', async () => {
    const timeout = Object.assign(new Error('the request socket timed out'), { name: 'TimeoutError' });
    documents.on(QueryCommand).rejects(timeout);
    const response = await invoke(getOrder, {
      method: 'GET',
      path: '/orders/01JZZZZZZZZZZZZZZZZZZZZZZZ',
      pathParameters: { orderId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' },
      channel: 'web-shop',
    });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ type: '/problems/temporarily-unavailable' });

    const step = stepHandler(stepInputSchema, async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    const failure = await step({ orderId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }, lambdaContext()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TransientError', message: expect.stringContaining('ThrottlingException') });
    const business = stepHandler(stepInputSchema, async () => {
      throw new OutOfStock(['A']);
    });
    expect(await business({ orderId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }, lambdaContext()).catch((error: unknown) => error)).toBeInstanceOf(OutOfStock);
  });

  it('answers an unexpected failure with a generic 500 problem that does not leak internals', async () => {
    documents.on(QueryCommand).rejects(new Error('socket hang up at 10.0.0.7'));
    const response = await invoke(getOrder, {
      method: 'GET',
      path: '/orders/01JZZZZZZZZZZZZZZZZZZZZZZZ',
      pathParameters: { orderId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' },
      channel: 'web-shop',
    });
    expect(response.status).toBe(500);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: '/problems/internal-error', status: 500 });
    expect(JSON.stringify(response.body)).not.toContain('10.0.0.7');
  });

  it('answers persistent write conflicts with 503 and Retry-After, after retrying', async () => {
    documents.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      }),
    );
    const response = await invoke(placeOrder, { method: 'POST', path: '/orders', body: orderRequest(), channel: 'web-shop' });
    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBe('1');
    expect(documents.commandCalls(TransactWriteCommand).length).toBeGreaterThan(1);
  });

  it('reads the existing order when the channel key exists with the same request', async () => {
    const request = orderRequest();
    documents.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: { orderId: { S: '01JEXISTING0000000000000000' }, requestHash: { S: requestFingerprint(request) } } },
        ],
      }),
    );
    documents.on(QueryCommand).resolves({ Items: [{ pk: 'ORDER#x', sk: 'ORDER', orderId: '01JEXISTING0000000000000000', status: 'PLACED' }] });
    const response = await invoke(placeOrder, { method: 'POST', path: '/orders', body: request, channel: request.channel });
    expect(response.status).toBe(200);
    // The stored order as read, with the personal values of the (same) request in place of the sealed ones.
    const { name, phone, line1, postalCode } = request.shipTo;
    expect(response.body).toEqual({ orderId: '01JEXISTING0000000000000000', status: 'PLACED', shipTo: { name, phone, line1, postalCode } });
  });
});
