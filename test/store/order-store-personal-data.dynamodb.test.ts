/** The order's sealed values in their own item: written where they change, never by a step, gone once erased. */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../functions/domain/order.ts';
import { SEALED_PATHS, valueAt, withValueAt } from '../../functions/domain/personal-data.ts';
import { personalDataKey, orderKey } from '../../functions/store/keys.ts';
import { PersonalDataStore } from '../../functions/store/personal-data-store.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { sealOrder } from '../../functions/use-cases/personal-data.ts';
import { localDependencies, localDynamoDbClient } from '../support/dynamodb.ts';
import { marshall } from '@aws-sdk/util-dynamodb';
import { orderRequest } from '../fixtures/orders.ts';

const NOW = '2026-12-04T10:00:00.000Z';
let deps: Dependencies;
let tableName: string;

beforeAll(async () => {
  deps = await localDependencies('order-store-personal');
  tableName = (deps.orders as unknown as { tableName: string }).tableName;
});

const rawItem = async (key: { pk: string; sk: string }) =>
  (await localDynamoDbClient().send(new GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }))).Item;

async function placed() {
  const order = await sealOrder(deps.personalData, placeOrder(orderRequest(), deps.newOrderId(), NOW));
  expect((await deps.orders.create(order, 'hash')).created).toBe(true);
  return order;
}

describe('the personal data item', () => {
  it('holds the sealed values as bytes, the order item none of them, and the order reads back whole', async () => {
    const order = await placed();
    const orderItem = (await rawItem(orderKey(order.orderId)))!;
    const personal = (await rawItem(personalDataKey(order.orderId)))!;
    expect(orderItem.shipTo!.M!.name).toBeUndefined();
    expect(orderItem.shipTo!.M!.line1).toBeUndefined();
    expect(personal.shipTo!.M!.name!.B).toBeInstanceOf(Uint8Array);
    expect(personal.entityType).toEqual({ S: 'OrderPersonalData' });
    expect(await deps.orders.get(order.orderId)).toEqual(order);
  });

  it('is not rewritten by a change that keeps the sealed values', async () => {
    const order = await placed();
    const before = await rawItem(personalDataKey(order.orderId));
    const after = transition(order, 'STOCK_LOCKED', NOW);
    // A step's write: the order alone, a plain conditional put.
    expect(await deps.orders.commit({ order: { before: order, after } })).toEqual({ ok: true });
    expect(await rawItem(personalDataKey(order.orderId))).toEqual(before);
    expect(await deps.orders.get(order.orderId)).toEqual(after);
  });

  it('keeps a removed value removed, and is deleted once every value is erased', async () => {
    const order = await placed();
    const withoutPhone = { ...withValueAt(order, 'shipTo.phone', ''), version: order.version + 1 };
    expect(await deps.orders.commit({ order: { before: order, after: withoutPhone } })).toEqual({ ok: true });
    expect((await rawItem(personalDataKey(order.orderId)))!.shipTo!.M!.phone).toBeUndefined();
    expect(await deps.orders.get(order.orderId)).toEqual(withoutPhone);

    const erased = SEALED_PATHS.reduce((o, path) => (valueAt(o, path) ? withValueAt(o, path, '') : o), { ...withoutPhone, version: withoutPhone.version + 1 });
    expect(await deps.orders.commit({ order: { before: withoutPhone, after: erased } })).toEqual({ ok: true });
    expect(await rawItem(personalDataKey(order.orderId))).toBeUndefined();
    expect(await deps.orders.get(order.orderId)).toEqual(erased);
  });

  it('is read with the order item by the partner enrichment, only the entitled attributes', async () => {
    const order = await placed();
    const store = new PersonalDataStore(createDocumentClient(localDynamoDbClient()), tableName);
    expect(await store.read(order.orderId, ['shipTo.phone', 'customer.id'])).toEqual({ shipTo: order.shipTo, customer: order.customer });
    expect(await store.read(order.orderId, ['shipTo.phone'])).toEqual({ shipTo: order.shipTo });
    expect(await store.read('01JNOSUCHORDER000000000000', ['shipTo.phone'])).toBeUndefined();
  });
});
