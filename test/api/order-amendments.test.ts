/**
 * Changing the shipping address and reading the timeline, through the real handlers
 * against DynamoDB Local, with the fulfilment steps run by hand so the order stays
 * in the status each case needs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as placeOrder } from '../../functions/api/place-order.ts';
import { handler as changeAddress } from '../../functions/api/change-shipping-address.ts';
import { handler as getTimeline } from '../../functions/api/get-order-timeline.ts';
import { handler as putInventory } from '../../functions/api/put-inventory.ts';
import { dependencies } from '../../functions/use-cases/dependencies.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { countItems, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke } from '../support/http-event.ts';
import { orderRequest } from '../fixtures/orders.ts';

const CHANNEL = 'web-shop';
const BEIJING = { ...orderRequest().shipTo, region: 'Beijing', city: 'Beijing', postalCode: '100000', line1: '1 Chang\'an Avenue' };

let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('order-amendments');
});

async function placed(sku: string) {
  expect((await invoke(putInventory, { method: 'PUT', path: `/inventory/${sku}`, pathParameters: { sku }, body: { warehouses: { 'wh-shanghai': 5, 'wh-beijing': 5 } } })).status).toBe(200);
  const response = await invoke(placeOrder, { method: 'POST', path: '/orders', body: orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }] }), channel: CHANNEL });
  expect(response.status).toBe(201);
  return response.body.orderId as string;
}

const patch = (orderId: string, body: unknown, channel = CHANNEL) =>
  invoke(changeAddress, { method: 'PATCH', path: `/orders/${orderId}/shipping-address`, pathParameters: { orderId }, body: body as object, channel });
const timeline = (orderId: string, channel = CHANNEL) =>
  invoke(getTimeline, { method: 'GET', path: `/orders/${orderId}/timeline`, pathParameters: { orderId }, channel });
const sku = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

describe('PATCH /orders/{orderId}/shipping-address', () => {
  it('changes the address while PLACED and STOCK_LOCKED, each change a new version, and routing ships to the last one', async () => {
    const orderId = await placed(sku('ADDR'));
    const first = await patch(orderId, BEIJING);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'PLACED', version: 2, shipTo: BEIJING });
    expect(first.body.history.at(-1)).toMatchObject({ from: 'PLACED', to: 'PLACED', amendment: 'SHIPPING_ADDRESS_CHANGED' });

    await lockStock(dependencies(), orderId);
    const again = await patch(orderId, { ...BEIJING, line1: '2 Chang\'an Avenue' });
    expect(again.body).toMatchObject({ status: 'STOCK_LOCKED', version: 4 });
    // The same address again is not a change: no new version, no event.
    expect((await patch(orderId, { ...BEIJING, line1: '2 Chang\'an Avenue' })).body.version).toBe(4);

    const routed = await routeOrder(dependencies(), orderId);
    expect(routed.parcels.map((parcel) => parcel.warehouseId)).toEqual(['wh-beijing']);
  });

  it('answers 409 once the order is routed, and keeps the address', async () => {
    const orderId = await placed(sku('LATE'));
    await lockStock(dependencies(), orderId);
    await routeOrder(dependencies(), orderId);
    const refused = await patch(orderId, BEIJING);
    expect(refused.status).toBe(409);
    expect(refused.headers['Content-Type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ type: '/problems/order-not-amendable', status: 409, currentStatus: 'ROUTED' });
    expect((await timeline(orderId)).body.entries.map((entry: { to: string }) => entry.to)).toEqual(['PLACED', 'STOCK_LOCKED', 'ROUTED']);
  });

  it('answers another channel\'s order with 404 and an invalid address with 400 naming each field, writing nothing', async () => {
    const orderId = await placed(sku('FOREIGN'));
    const before = await countItems(tableName);
    expect((await patch(orderId, BEIJING, 'marketplace')).status).toBe(404);
    const invalid = await patch(orderId, { ...BEIJING, country: 'China', phone: 'call me', extra: true });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { path: string }) => error.path)).toEqual(expect.arrayContaining(['$.country', '$.phone', '$']));
    expect((await patch(orderId, { name: 'Only a name' })).status).toBe(400);
    expect(await countItems(tableName)).toBe(before);
    expect((await timeline(orderId)).body.version).toBe(1);
  });
});

describe('GET /orders/{orderId}/timeline', () => {
  it('lists every transition and amendment in order, with the id and detail-type of the event each produced', async () => {
    const orderId = await placed(sku('TIMELINE'));
    await lockStock(dependencies(), orderId);
    await patch(orderId, BEIJING);
    await routeOrder(dependencies(), orderId);
    const response = await timeline(orderId);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId, status: 'ROUTED', version: 4 });
    expect(response.body.entries).toEqual([
      {
        from: null,
        to: 'PLACED',
        at: expect.any(String),
        by: { kind: 'channel', id: expect.any(String) },
        sequence: 1,
        event: { eventId: `${orderId}:1`, detailType: 'OrderPlaced' },
      },
      {
        from: 'PLACED',
        to: 'STOCK_LOCKED',
        at: expect.any(String),
        by: { kind: 'step', id: 'LockStock' },
        sequence: 2,
        event: { eventId: `${orderId}:2`, detailType: 'OrderStockLocked' },
      },
      {
        from: 'STOCK_LOCKED',
        to: 'STOCK_LOCKED',
        at: expect.any(String),
        amendment: 'SHIPPING_ADDRESS_CHANGED',
        by: { kind: 'channel', id: expect.any(String) },
        changed: expect.arrayContaining([{ field: 'shipTo.region' }, { field: 'shipTo.city' }]),
        sequence: 3,
        event: { eventId: `${orderId}:3`, detailType: 'OrderShippingAddressChanged' },
      },
      {
        from: 'STOCK_LOCKED',
        to: 'ROUTED',
        at: expect.any(String),
        by: { kind: 'step', id: 'RouteOrder' },
        changed: [{ field: 'route' }],
        sequence: 4,
        event: { eventId: `${orderId}:4`, detailType: 'OrderRouted' },
      },
    ]);
    const times = response.body.entries.map((entry: { at: string }) => entry.at);
    expect([...times].sort()).toEqual(times);
  });

  it('answers another channel\'s order with 404', async () => {
    const orderId = await placed(sku('HIDDEN'));
    const response = await timeline(orderId, 'marketplace');
    expect(response.status).toBe(404);
    expect(response.body.type).toBe('/problems/not-found');
  });
});
