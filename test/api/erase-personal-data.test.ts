/**
 * `DELETE /customers/{customerId}/personal-data` through the real handlers against DynamoDB
 * Local: every ended order of the customer answers with erased fields, the table keeps none of
 * them, orders in flight wait, and repeating the request is safe.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { handler as placeOrder } from '../../functions/api/place-order.ts';
import { handler as getOrder } from '../../functions/api/get-order.ts';
import { handler as cancelOrder } from '../../functions/api/cancel-order.ts';
import { handler as erasePersonalData } from '../../functions/api/erase-personal-data.ts';
import { orderEventOf } from '../../functions/domain/events.ts';
import { localDynamoDbClient, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke } from '../support/http-event.ts';
import { documentAjv, responseValidator } from '../support/openapi.ts';
import { orderRequest } from '../fixtures/orders.ts';

const CHANNEL = 'web-shop';
let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('erasure');
});

/** What one customer typed, distinct from every other test's data so a hit can only come from them. */
function customer(tag: string) {
  const customerId = `cust-erase-${tag}-${Date.now()}`;
  const planted = [customerId, `Zhao Erasable${tag}`, `+86 139 ${tag}00 4321`, `${tag} Lujiazui Ring Road`, `20${tag}88`, `note about ${tag} Zhao`];
  const request = () =>
    orderRequest({
      customer: { id: customerId, tier: 'vip' },
      shipTo: { name: planted[1]!, phone: planted[2]!, country: 'CN', region: 'Shanghai', city: 'Pudong', postalCode: planted[4]!, line1: planted[3]! },
      attribution: { touchpoints: [{ channel: 'live-stream', campaign: `camp-${tag}` }] },
    });
  return { customerId, planted, request };
}

async function place(body: object): Promise<string> {
  const response = await invoke(placeOrder, { method: 'POST', path: '/orders', body, channel: CHANNEL });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.orderId;
}
const cancel = (orderId: string, note: string) =>
  invoke(cancelOrder, { method: 'POST', path: `/orders/${orderId}/cancel`, pathParameters: { orderId }, channel: CHANNEL, body: { reasonCode: 'CUSTOMER_REQUEST', note } });
const get = (orderId: string) => invoke(getOrder, { method: 'GET', path: `/orders/${orderId}`, pathParameters: { orderId }, channel: CHANNEL });
const erase = (customerId: string) =>
  invoke(erasePersonalData, { method: 'DELETE', path: `/customers/${customerId}/personal-data`, pathParameters: { customerId } });

async function scanTable(): Promise<string> {
  const { Items = [] } = await localDynamoDbClient().send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return JSON.stringify(Items);
}

describe('DELETE /customers/{customerId}/personal-data', () => {
  it("erases every ended order of the customer, leaves orders in flight and other customers' orders alone, and can be repeated", async () => {
    const li = customer('17');
    const other = customer('29');
    const ended = [await place(li.request()), await place(li.request())];
    for (const orderId of ended) expect((await cancel(orderId, li.planted[5]!)).status).toBe(200);
    const inFlight = await place(li.request());
    const untouched = await place(other.request());
    // Before: the note is stored (sealed, so not as typed) and the owner reads it back.
    expect(await scanTable()).not.toContain(li.planted[5]);
    expect((await get(ended[0]!)).body.cancellationNote).toBe(li.planted[5]);

    const response = await erase(li.customerId);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ erased: 2, pending: [inFlight], complete: true });

    const validOrder = responseValidator(documentAjv(), 'get', '/orders/{orderId}', 200);
    for (const orderId of ended) {
      const { body } = await get(orderId);
      expect(body).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'CUSTOMER_REQUEST',
        customer: { id: '', tier: 'vip' },
        shipTo: { name: '', phone: '', postalCode: '', line1: '', country: 'CN', region: 'Shanghai', city: 'Pudong' },
      });
      expect(body.attribution).toBeUndefined();
      expect(body.cancellationNote).toBeUndefined();
      expect(body.history.at(-1)).toMatchObject({ amendment: 'PERSONAL_DATA_ERASED' });
      expect(validOrder(body), JSON.stringify(validOrder.errors)).toBe(true);
      expect(orderEventOf(body).type).toBe('CustomerDataErased');
    }
    expect((await get(inFlight)).body.shipTo.name).toBe(li.planted[1]);
    expect((await get(untouched)).body.shipTo.name).toBe(other.planted[1]);

    // Nothing in the table holds what the customer typed, outside the order in flight (sealed there).
    const { Items = [] } = await localDynamoDbClient().send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    const withoutInFlight = JSON.stringify(Items.filter((item) => item.orderId?.S !== inFlight));
    for (const value of li.planted) expect(withoutInFlight).not.toContain(value);
    // The other customer's id is stored as is (only the personal values are sealed): erasure left it.
    expect(await scanTable()).toContain(other.planted[0]);

    expect((await erase(li.customerId)).body).toEqual({ erased: 0, pending: [inFlight], complete: true });
    expect((await cancel(inFlight, 'later')).status).toBe(200);
    expect((await erase(li.customerId)).body).toEqual({ erased: 1, pending: [], complete: true });
    expect((await get(inFlight)).body.shipTo.name).toBe('');
  });

  it('answers 200 with nothing erased for a customer without orders, and 400 for a customer id that is not one', async () => {
    expect((await erase(`nobody-${Date.now()}`)).body).toEqual({ erased: 0, pending: [], complete: true });
    const refused = await erase('cust\u0000-1');
    expect(refused.status).toBe(400);
    expect(refused.body.type).toBe('/problems/validation-error');
  });
});
