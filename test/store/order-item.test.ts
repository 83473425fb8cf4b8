/** The stored shape of an order: what goes in comes back, with the routing explanation compressed. */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { holdOrder, placeOrder, transition } from '../../functions/domain/order.ts';
import { fromOrderItem, fromOrderItems, toOrderItem, toPersonalDataItem } from '../../functions/store/order-item.ts';
import { SEALED_PATHS, valueAt, withValueAt } from '../../functions/domain/personal-data.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { randomBytes } from 'node:crypto';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EncryptionSdkCipher } from '../../functions/crypto/encryption-sdk-cipher.ts';
import { openOrder, sealOrder } from '../../functions/use-cases/personal-data.ts';
import { routePlan } from '../fixtures/routes.ts';

const placed = placeOrder(orderRequest(), '01JORDER000000000000000001', '2026-11-23T10:00:00.000Z');
const locked = transition(placed, 'STOCK_LOCKED', '2026-11-23T10:00:01.000Z');
const routed = transition(locked, 'ROUTED', '2026-11-23T10:00:02.000Z', { route: routePlan('wh-1') });

const stored = (item: Record<string, unknown>) => unmarshall(marshall(item, { removeUndefinedValues: true }));
const roundTrip = (item: Record<string, unknown>) => fromOrderItem(stored(item));
/** As the cipher leaves them: base64 text. */
const sealed = SEALED_PATHS.reduce(
  (order, path) => (valueAt(order, path) ? withValueAt(order, path, Buffer.from(`sealed ${path}`).toString('base64')) : order),
  routed,
);

const bothItems = (order: typeof routed) => [toOrderItem(order), toPersonalDataItem(order)].flatMap((item) => (item ? [stored(item)] : []));

describe('order items', () => {
  it('round-trips an order before and after routing through its order and personal data items', () => {
    expect(fromOrderItems(bothItems(placed))).toEqual(placed);
    expect(fromOrderItems(bothItems(routed))).toEqual(routed);
    expect(fromOrderItems(bothItems(sealed))).toEqual(sealed);
  });

  it('keeps the sealed values out of the order item, as bytes in the personal data item', () => {
    const orderItem = toOrderItem(sealed);
    const personal = toPersonalDataItem(sealed)!;
    expect(personal).toMatchObject({ pk: `ORDER#${sealed.orderId}`, sk: 'ORDER#PERSONAL', entityType: 'OrderPersonalData' });
    for (const path of ['shipTo.name', 'shipTo.phone', 'shipTo.line1', 'shipTo.postalCode'] as const) {
      expect(valueAt(orderItem, path)).toBeUndefined();
      expect(Buffer.from(path.split('.').reduce((node: any, key) => node[key], personal)).toString()).toBe(`sealed ${path}`);
    }
    expect(orderItem.shipTo).toEqual({ country: sealed.shipTo.country, region: sealed.shipTo.region, city: sealed.shipTo.city });
  });

  it('leaves erased (empty) values in the order item and writes no personal data item for an erased order', () => {
    const erased = SEALED_PATHS.reduce((order, path) => (valueAt(order, path) ? withValueAt(order, path, '') : order), sealed);
    expect(toPersonalDataItem(erased)).toBeUndefined();
    expect(fromOrderItems(bothItems(erased))).toEqual(erased);
  });

  it('keeps the explanation as compressed bytes, not as a nested map', () => {
    const explanation = {
      candidates: [],
      candidatesOmitted: 0,
      rulesFired: Array.from({ length: 40 }, (_, i) => `vip-liquids-to-hainan-use-cold-chain-${i}`),
    };
    const order = { ...routed, route: { ...routed.route!, explanation } };
    const item = toOrderItem(order);
    expect(item.routeExplanation).toBeInstanceOf(Uint8Array);
    expect((item.route as Record<string, unknown>).explanation).toBeUndefined();
    expect((item.routeExplanation as Uint8Array).length).toBeLessThan(JSON.stringify(explanation).length / 4);
    expect(fromOrderItems(bothItems(order))).toEqual(order);
  });

  it('carries the list index keys and nothing of them back into the order', () => {
    const requested = transition(routed, 'SHIPMENT_REQUESTED', '2026-11-23T10:00:03.000Z');
    const item = toOrderItem(requested);
    expect(item).toMatchObject({
      pk: `ORDER#${routed.orderId}`,
      sk: 'ORDER',
      channelStatus: `${routed.channel}#SHIPMENT_REQUESTED`,
      customerId: routed.customer.id,
      updatedShard: expect.any(String),
      updatedAt: requested.updatedAt,
    });
    expect(Object.keys(roundTrip(item)).sort()).toEqual(Object.keys(requested).sort());
    expect(Object.keys(fromOrderItems(bothItems(sealed))!).sort()).toEqual(Object.keys(sealed).sort());
  });

  it('keeps an order in flight out of the status and change-time indexes, and puts it back there when held (ADR 0006)', () => {
    for (const order of [placed, locked, routed]) {
      const item = toOrderItem(order);
      expect(item, order.status).not.toHaveProperty('channelStatus');
      expect(item, order.status).not.toHaveProperty('updatedShard');
      expect(item).toMatchObject({ channel: order.channel, customerId: order.customer.id });
    }
    const held = toOrderItem(holdOrder(routed, '2026-11-23T10:00:03.000Z', { kind: 'operator', id: 'ops-1' }));
    expect(held).not.toHaveProperty('channelStatus');
    expect(held).toMatchObject({ updatedShard: expect.any(String), updatedAt: '2026-11-23T10:00:03.000Z' });
  });

  it('reads an order item written before ADR 0006, with the index keys of its status in flight', () => {
    const [orderItem, ...personal] = bothItems(routed);
    const old = { ...orderItem, channelStatus: `${routed.channel}#ROUTED`, updatedShard: '3' };
    expect(fromOrderItems([old, ...personal])).toEqual(routed);
  });

  it('stores sealed values compactly (the shared data keys once, no context) and reads them back as the cipher made them, and reads whole ones as before', async () => {
    const cipher = new EncryptionSdkCipher(
      new RawAesKeyringNode({ keyName: 'k', keyNamespace: 'test', unencryptedMasterKey: randomBytes(32), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING }),
    );
    const order = await sealOrder(cipher, routed);
    const item = toPersonalDataItem(order)!;
    expect(item.sealedDataKeys).toBeInstanceOf(Uint8Array);
    const [orderItem] = bothItems(order);
    expect(fromOrderItems([orderItem!, stored(item)])).toEqual(order);
    expect(await openOrder(cipher, fromOrderItems([orderItem!, stored(item)])!)).toEqual(routed);
    // As written before: each value its whole message, no shared keys.
    let whole: Record<string, unknown> = { pk: item.pk, sk: item.sk, entityType: item.entityType, shipTo: {} };
    for (const path of SEALED_PATHS) {
      const value = valueAt(order, path);
      if (value) whole = withValueAt(whole, path, Buffer.from(value, 'base64') as unknown as string);
    }
    expect(fromOrderItems([orderItem!, stored(whole)])).toEqual(order);
  });
});
