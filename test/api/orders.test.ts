/**
 * Reading, listing and cancelling orders, and inventory, through the real
 * handlers against DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as placeOrder } from '../../functions/api/place-order.ts';
import { handler as getOrder } from '../../functions/api/get-order.ts';
import { handler as listOrders } from '../../functions/api/list-orders.ts';
import { handler as cancelOrder } from '../../functions/api/cancel-order.ts';
import { handler as putInventory } from '../../functions/api/put-inventory.ts';
import { handler as getInventory } from '../../functions/api/get-inventory.ts';
import { handler as adjustInventory } from '../../functions/api/adjust-inventory.ts';
import { dependencies } from '../../functions/use-cases/dependencies.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { countItems, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke } from '../support/http-event.ts';
import { orderRequest } from '../fixtures/orders.ts';

let tableName: string;

beforeAll(async () => {
  tableName = await useLocalTableForHandlers('orders-api');
});

async function placed(channel = 'marketplace', lines = [{ sku: 'MUG-1', quantity: 1, unitPrice: 900 }]) {
  const response = await invoke(placeOrder, { method: 'POST', path: '/orders', body: orderRequest({ channel, lines }), channel });
  expect(response.status).toBe(201);
  return response.body.orderId as string;
}

const get = (orderId: string, channel = 'marketplace') =>
  invoke(getOrder, { method: 'GET', path: `/orders/${orderId}`, pathParameters: { orderId }, channel });
const cancel = (orderId: string, { channel = 'web-shop', body }: { channel?: string; body?: object } = {}) =>
  invoke(cancelOrder, { method: 'POST', path: `/orders/${orderId}/cancel`, pathParameters: { orderId }, channel, ...(body ? { body } : {}) });
const list = (query: Record<string, string>, channel: string) => invoke(listOrders, { method: 'GET', path: '/orders', query, channel });
const putStock = (sku: string, body: unknown) =>
  invoke(putInventory, { method: 'PUT', path: `/inventory/${sku}`, pathParameters: { sku }, body: body as object });
const getStock = (sku: string) => invoke(getInventory, { method: 'GET', path: `/inventory/${sku}`, pathParameters: { sku } });
const adjustStock = (sku: string, body: unknown) =>
  invoke(adjustInventory, { method: 'POST', path: `/inventory/${sku}/adjustments`, pathParameters: { sku }, body: body as object });

describe('GET /orders/{orderId}', () => {
  it('returns the order', async () => {
    const orderId = await placed();
    const response = await get(orderId);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId, status: 'PLACED', shipTo: { city: 'Shanghai' } });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await get('01JZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
    const malformed = await get('not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('/problems/validation-error');
  });
});

describe('GET /orders', () => {
  it('pages through a channel\'s orders newest first, optionally by status', async () => {
    const channel = `ch-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await placed(channel));
    await cancel(ids[1]!, { channel });

    const first = await list({ limit: '2' }, channel);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { orderId: string }) => item.orderId)).toEqual([ids[4], ids[3]]);
    expect(first.body.items[0]).not.toHaveProperty('shipTo');
    const second = await list({ limit: '2', cursor: first.body.nextCursor }, channel);
    // Naming the token's own channel, as integrations written before tokens did, is the same query.
    const third = await list({ channel, limit: '2', cursor: second.body.nextCursor }, channel);
    const all = [...first.body.items, ...second.body.items, ...third.body.items].map((item) => item.orderId);
    expect(all).toEqual([...ids].reverse());

    const cancelled = await list({ status: 'CANCELLED' }, channel);
    expect(cancelled.body.items.map((item: { orderId: string }) => item.orderId)).toEqual([ids[1]]);
    expect(cancelled.body.nextCursor).toBeNull();
  });

  it('answers 400 naming `status` for a status in flight, pointing the channel to what it may ask: the listing without status (ADR 0006)', async () => {
    for (const status of ['PLACED', 'STOCK_LOCKED', 'ROUTED']) {
      const response = await list({ status }, 'web');
      expect(response.status, status).toBe(400);
      expect(response.body.type).toBe('/problems/validation-error');
      expect(response.body.errors).toEqual([expect.objectContaining({ path: '$.status', message: expect.stringContaining('List without status') })]);
      // Not a parameter a channel may send (operators only): a hint naming it would lead to another 400.
      expect(response.body.errors[0].message).not.toMatch(/overdue|updatedSince/);
    }
  });

  it('answers 400 for a malformed channel, an unknown status, a bad limit or a forged cursor', async () => {
    const queries: Record<string, string>[] = [{ channel: 'Web Shop!' }, { status: 'LOST' }, { limit: '1000' }, { cursor: 'bm90IGpzb24' }];
    for (const query of queries) {
      const response = await list(query, 'web');
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.errors.length).toBeGreaterThan(0);
    }
  });
});

describe('GET /orders cursors', () => {
  /** Two pages' worth of orders in a fresh channel, one of them cancelled; answers the channel. */
  async function channelWithOrders(): Promise<string> {
    const channel = `cur-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await placed(channel));
    await cancel(ids[0]!, { channel });
    return channel;
  }
  const expectInvalidCursor = (response: Awaited<ReturnType<typeof list>>) => {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.type).toBe('/problems/invalid-cursor');
    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['$.cursor']);
  };

  it('are not the raw table key any more, but a signed one', async () => {
    const channel = await channelWithOrders();
    const { body } = await list({ limit: '1' }, channel);
    expect(body.nextCursor).toEqual(expect.any(String));
    expect(() => JSON.parse(Buffer.from(body.nextCursor, 'base64url').toString('utf8'))).toThrow();
  });

  it('answer 400 invalid-cursor for a cursor from another status', async () => {
    const channel = await channelWithOrders();
    const cancelledPage = await list({ status: 'CANCELLED', limit: '1' }, channel);
    expectInvalidCursor(await list({ limit: '1', cursor: cancelledPage.body.nextCursor }, channel));
    const all = await list({ limit: '1' }, channel);
    expectInvalidCursor(await list({ status: 'CANCELLED', limit: '1', cursor: all.body.nextCursor }, channel));
  });

  it('answer 400 invalid-cursor for a cursor from another channel', async () => {
    const mine = await channelWithOrders();
    const theirs = await channelWithOrders();
    const page = await list({ limit: '1' }, theirs);
    expectInvalidCursor(await list({ limit: '1', cursor: page.body.nextCursor }, mine));
  });

  it('answer 400 invalid-cursor for a cursor from another page size', async () => {
    const channel = await channelWithOrders();
    const page = await list({ limit: '1' }, channel);
    expectInvalidCursor(await list({ limit: '2', cursor: page.body.nextCursor }, channel));
  });

  it('answer 400 invalid-cursor for a tampered cursor, and for the raw key format of before', async () => {
    const channel = await channelWithOrders();
    const page = await list({ limit: '1' }, channel);
    const bytes = Buffer.from(page.body.nextCursor, 'base64url');
    bytes[0] = bytes[0]! ^ 1;
    expectInvalidCursor(await list({ limit: '1', cursor: bytes.toString('base64url') }, channel));
    const rawKey = Buffer.from(JSON.stringify({ pk: 'ORDER#x', sk: 'ORDER', channel, orderId: 'x' })).toString('base64url');
    expectInvalidCursor(await list({ limit: '1', cursor: rawKey }, channel));
  });
});

describe('POST /inventory/{sku}/adjustments on what does not exist', () => {
  it('answers 404 for a SKU with no inventory, and creates none', async () => {
    const sku = `GHOST-${Date.now()}`;
    const response = await adjustStock(sku, { warehouseId: 'wh-shanghai', delta: 5 });
    expect(response.status).toBe(404);
    expect(response.body.type).toBe('/problems/not-found');
    expect((await getStock(sku)).status).toBe(404);
  });

  it('answers 400 naming the warehouse for one the SKU is not stocked at, and adds none', async () => {
    const sku = `ADJ-${Date.now()}`;
    await putStock(sku, { warehouses: { 'wh-shanghai': 3 } });
    const response = await adjustStock(sku, { warehouseId: 'wh-atlantis', delta: 5 });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: '$.warehouseId' })]);
    expect(Object.keys((await getStock(sku)).body.warehouses)).toEqual(['wh-shanghai']);
  });
});

describe('channel isolation', () => {
  it('answers another channel\'s order with 404, exactly as an unknown id, and does not cancel it', async () => {
    const orderId = await placed('marketplace');
    const foreign = await get(orderId, 'web-shop');
    const unknown = await get('01JZZZZZZZZZZZZZZZZZZZZZZZ', 'web-shop');
    expect([foreign.status, unknown.status]).toEqual([404, 404]);
    expect(foreign.body.type).toBe(unknown.body.type);
    expect(foreign.body.detail).toBe(`Order ${orderId} does not exist`);
    expect((await cancel(orderId, { channel: 'web-shop' })).status).toBe(404);
    expect((await get(orderId, 'marketplace')).body.status).toBe('PLACED');
  });

  it('lists only the caller\'s orders, and refuses a query naming another channel with 403', async () => {
    const mine = `mine-${Date.now()}`;
    const theirs = `theirs-${Date.now()}`;
    const own = await placed(mine);
    await placed(theirs);
    const listed = await list({}, mine);
    expect(listed.body.items.map((item: { orderId: string }) => item.orderId)).toEqual([own]);
    const refused = await list({ channel: theirs }, mine);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: '/problems/channel-mismatch', status: 403 });
  });

  it('refuses a token without a channel claim with 403', async () => {
    const response = await invoke(listOrders, { method: 'GET', path: '/orders' });
    expect(response.status).toBe(403);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body.type).toBe('/problems/forbidden');
  });
});

describe('POST /orders/{orderId}/cancel', () => {
  it('cancels, gives the stock back, and is idempotent', async () => {
    const sku = `CANCEL-${Date.now()}`;
    expect((await putStock(sku, { warehouses: { 'wh-1': 4 } })).status).toBe(200);
    const orderId = await placed('web-shop', [{ sku, quantity: 3, unitPrice: 100 }]);
    await lockStock(dependencies(), orderId);
    expect((await getStock(sku)).body.availableToPromise).toBe(1);

    const response = await cancel(orderId, { body: { reasonCode: 'CUSTOMER_REQUEST', note: 'customer request' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST', cancellationNote: 'customer request' });
    expect(response.body.history.at(-1)).toMatchObject({ to: 'CANCELLED', reason: 'CUSTOMER_REQUEST' });
    expect((await getStock(sku)).body.availableToPromise).toBe(4);
    expect((await cancel(orderId)).status).toBe(200);
  });

  it('takes the free-text `reason` of earlier versions as the note, under the code UNSPECIFIED', async () => {
    const orderId = await placed('web-shop');
    const response = await cancel(orderId, { body: { reason: 'Customer Li Wei, tel 13800138000' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ cancellationReason: 'UNSPECIFIED', cancellationNote: 'Customer Li Wei, tel 13800138000' });
    expect(JSON.stringify(response.body.history)).not.toContain('13800138000');
  });

  it('refuses an unknown reason code, and a note sent with `reason`, naming the field', async () => {
    const orderId = await placed('web-shop');
    const unknown = await cancel(orderId, { body: { reasonCode: 'customer changed mind' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual(['$.reasonCode']);
    // The pipeline's own code for a payment that never came: no caller's cancel may pass for it.
    const timeout = await cancel(orderId, { body: { reasonCode: 'PAYMENT_TIMEOUT' } });
    expect(timeout.status).toBe(400);
    expect(timeout.body.errors.map((error: { path: string }) => error.path)).toEqual(['$.reasonCode']);
    const both = await cancel(orderId, { body: { note: 'a', reason: 'b' } });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((error: { path: string }) => error.path)).toEqual(['$.reason']);
    expect((await get(orderId, 'web-shop')).body.status).toBe('PLACED');
  });

  it('answers 409 once the shipment is requested, 404 for an unknown order', async () => {
    const sku = `SHIP-${Date.now()}`;
    await putStock(sku, { warehouses: { 'wh-shanghai': 1 } });
    const orderId = await placed('web-shop', [{ sku, quantity: 1, unitPrice: 100 }]);
    for (const step of [lockStock, routeOrder, requestShipment]) await step(dependencies(), orderId);
    const refused = await cancel(orderId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: '/problems/illegal-transition', currentStatus: 'SHIPMENT_REQUESTED' });
    expect((await cancel('01JZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
  });
});

describe('inventory', () => {
  it('sets on-hand per warehouse and reports on-hand, reserved and available', async () => {
    const sku = `INV-${Date.now()}`;
    const set = await putStock(sku, { warehouses: { 'wh-north': 7, 'wh-south': 3 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      sku,
      warehouses: {
        'wh-north': { onHand: 7, reserved: 0, available: 7 },
        'wh-south': { onHand: 3, reserved: 0, available: 3 },
      },
      onHand: 10,
      reserved: 0,
      availableToPromise: 10,
      shardCount: 1,
      shards: [{ shard: 0, onHand: 10, reserved: 0, availableToPromise: 10 }],
    });
    const replaced = await putStock(sku, { warehouses: { 'wh-north': 2 } });
    expect(replaced.body).toMatchObject({ onHand: 2, availableToPromise: 2, warehouses: { 'wh-south': { onHand: 0 } } });
    expect((await getStock(sku)).body).toEqual(replaced.body);
  });

  it('answers 409 when on-hand would drop below what orders hold, 404 for an unknown SKU', async () => {
    const sku = `HELD-${Date.now()}`;
    await putStock(sku, { warehouses: { 'wh-1': 5 } });
    const orderId = await placed('web-shop', [{ sku, quantity: 4, unitPrice: 100 }]);
    await lockStock(dependencies(), orderId);
    const refused = await putStock(sku, { warehouses: { 'wh-1': 3 } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/inventory-conflict');
    expect((await getStock(`NOPE-${Date.now()}`)).status).toBe(404);
  });

  it('refuses invalid bodies and SKUs with 400, writing nothing', async () => {
    const before = await countItems(tableName);
    for (const body of [{}, { warehouses: {} }, { warehouses: { 'wh-1': -1 } }, { warehouses: { 'wh 1': 1 } }, { warehouses: { w: 1.5 } }]) {
      const response = await putStock('SKU-OK', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    for (const reserved of ['toString', 'constructor', 'hasOwnProperty']) {
      const response = await putStock('SKU-OK', { warehouses: { w1: 1, [reserved]: 1 } });
      expect(response.status, reserved).toBe(400);
      expect(response.body.errors[0].path).toMatch(/^\$\.warehouses/);
    }
    expect((await putStock(`NEW-${Date.now()}`, { shards: 2 })).status).toBe(404);
    for (const shards of [0, 51, 2.5, '4']) {
      expect((await putStock('SKU-OK', { warehouses: { w: 1 }, shards })).status, `shards ${shards}`).toBe(400);
    }
    for (const body of [{ warehouseId: 'w', delta: 0 }, { warehouseId: 'w', delta: 1.5 }, { delta: 3 }, { warehouseId: 'w', delta: 1, extra: 1 }]) {
      expect((await adjustStock('SKU-OK', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await putStock('bad sku!', { warehouses: { w: 1 } })).status).toBe(400);
    expect(await countItems(tableName)).toBe(before);
  });

  it('spreads a hot SKU over the shard count asked for, evenly, and keeps the totals when the count changes', async () => {
    const sku = `HOT-${Date.now()}`;
    const set = await putStock(sku, { warehouses: { 'wh-north': 40, 'wh-south': 10 }, shards: 4 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ onHand: 50, availableToPromise: 50, shardCount: 4 });
    expect(set.body.shards.map((s: { availableToPromise: number }) => s.availableToPromise)).toEqual([13, 13, 12, 12]);
    const orderId = await placed('web-shop', [{ sku, quantity: 12, unitPrice: 100 }]);
    await lockStock(dependencies(), orderId);
    // Resharding while an order holds stock: counts and the reservation stay, free stock is spread again.
    const more = await putStock(sku, { shards: 6 });
    expect(more.status).toBe(200);
    expect(more.body).toMatchObject({ onHand: 50, reserved: 12, availableToPromise: 38, shardCount: 6 });
    expect(more.body.shards).toHaveLength(6);
    const atp = more.body.shards.map((s: { availableToPromise: number }) => s.availableToPromise);
    expect(Math.max(...atp) - Math.min(...atp)).toBeLessThanOrEqual(1);
    expect(more.body.warehouses['wh-north'].onHand).toBe(40);
    expect(more.body.warehouses['wh-south'].onHand).toBe(10);
    expect((await getStock(sku)).body).toEqual(more.body);
  });

  it('answers 409 when lowering the shard count would retire a shard that holds an order\'s stock', async () => {
    const sku = `RETIRE-${Date.now()}`;
    await putStock(sku, { warehouses: { 'wh-1': 8 }, shards: 8 });
    const orderIds = await Promise.all(Array.from({ length: 8 }, () => placed('web-shop', [{ sku, quantity: 1, unitPrice: 100 }])));
    for (const orderId of orderIds) await lockStock(dependencies(), orderId);
    const refused = await putStock(sku, { warehouses: { 'wh-1': 8 }, shards: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/Shard \d+ .* still holds stock for orders/);
    expect((await getStock(sku)).body).toMatchObject({ shardCount: 8, reserved: 8, availableToPromise: 0 });
  });

  it('adjusts one warehouse by a delta, keeping other warehouses and reservations', async () => {
    const sku = `ADJ-${Date.now()}`;
    // wh-3 is stocked at, with none on hand yet: adjustments change counts that exist.
    await putStock(sku, { warehouses: { 'wh-1': 5, 'wh-2': 2, 'wh-3': 0 }, shards: 3 });
    const orderId = await placed('web-shop', [{ sku, quantity: 4, unitPrice: 100 }]);
    await lockStock(dependencies(), orderId);
    const received = await adjustStock(sku, { warehouseId: 'wh-1', delta: 10, reason: 'inbound ASN-17' });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ onHand: 17, reserved: 4, availableToPromise: 13, shardCount: 3 });
    expect(received.body.warehouses['wh-2']).toEqual({ onHand: 2, reserved: 0, available: 2 });
    const counted = await adjustStock(sku, { warehouseId: 'wh-3', delta: 1 });
    expect(counted.body.warehouses['wh-3']).toEqual({ onHand: 1, reserved: 0, available: 1 });
    const tooMany = await adjustStock(sku, { warehouseId: 'wh-2', delta: -3 });
    expect(tooMany.status).toBe(409);
    // Writing off all 15 would leave 3 units for an order that holds 4.
    expect((await adjustStock(sku, { warehouseId: 'wh-1', delta: -15 })).status).toBe(409);
    const writtenOff = await adjustStock(sku, { warehouseId: 'wh-1', delta: -14 });
    expect(writtenOff.status).toBe(200);
    expect(writtenOff.body).toMatchObject({ onHand: 4, reserved: 4, availableToPromise: 0 });
  });
});
