/**
 * POST /carriers/{carrierId}/events through the real handler against DynamoDB Local:
 * who may call, what is refused and how, and what a callback does to the order.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/api/carrier-events.ts';
import { signatureHeader } from '../../functions/carriers/webhook-signature.ts';
import type { Order } from '../../functions/domain/order.ts';
import { carrierEventKey } from '../../functions/store/keys.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import { dependencies } from '../../functions/use-cases/dependencies.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localDynamoDbClient, useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke } from '../support/http-event.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';

const SECRETS = { 'sf-express': 'sf-express-test-secret-0001', zto: 'zto-test-secret-000000000002', coldlink: 'coldlink-test-secret-0000003' };
let tableName: string;
let eventCounter = 0;

beforeAll(async () => {
  process.env.CARRIER_WEBHOOK_SECRETS = JSON.stringify(SECRETS);
  tableName = await useLocalTableForHandlers('carrier-events');
});

/** An order taken to SHIPMENT_REQUESTED by the real fulfilment steps. */
async function shippedOrder(): Promise<Order> {
  const deps = dependencies();
  const sku = `PARCEL-${Date.now()}-${++eventCounter}`;
  await setOnHand(deps, sku, { 'wh-shanghai': 5 });
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }] }));
  for (const step of [lockStock, routeOrder, requestShipment]) await step(deps, order.orderId);
  return (await deps.orders.get(order.orderId))!;
}

function callbackBody(trackingNumber: string, status: string, eventId = `evt-${++eventCounter}`) {
  return JSON.stringify({ eventId, trackingNumber, status, occurredAt: new Date().toISOString() });
}

/** Signed with the carrier's secret unless a signature is given; `null` sends none. */
function post(carrierId: string, body: string, signature: string | null = signatureHeader(SECRETS[carrierId as keyof typeof SECRETS] ?? 'x', body)) {
  return invoke(handler, {
    method: 'POST',
    path: `/carriers/${carrierId}/events`,
    routeKey: 'POST /carriers/{carrierId}/events',
    pathParameters: { carrierId },
    headers: signature === null ? {} : { 'x-carrier-signature': signature },
    body,
  });
}

const parcelOf = (order: Order) => order.shipment!.parcels[0]!;
const current = async (orderId: string) => (await dependencies().orders.get(orderId))!;

describe('refused callbacks', () => {
  it('answers 404 for a carrier with no secret, and 400 for a malformed carrier id', async () => {
    const unknown = await post('acme-post', callbackBody('SBX1', 'picked_up'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['Content-Type']).toBe('application/problem+json');
    expect(unknown.body).toMatchObject({ type: '/problems/unknown-carrier', instance: '/carriers/acme-post/events' });
    expect((await post('bad carrier!', callbackBody('SBX1', 'picked_up'))).status).toBe(400);
  });

  it('answers 401 problem+json for a missing, wrong, stale or other carrier\'s signature, and changes nothing', async () => {
    const order = await shippedOrder();
    const { carrier, trackingNumber } = parcelOf(order);
    const body = callbackBody(trackingNumber, 'picked_up');
    const secret = SECRETS[carrier as keyof typeof SECRETS];
    const otherSecret = Object.values(SECRETS).find((value) => value !== secret)!;
    const refusals = {
      missing: await post(carrier, body, null),
      malformed: await post(carrier, body, 'sha256=abc'),
      wrongSecret: await post(carrier, body, signatureHeader(otherSecret, body)),
      tampered: await post(carrier, body.replace('picked_up', 'delivered'), signatureHeader(secret, body)),
      stale: await post(carrier, body, signatureHeader(secret, body, Math.floor(Date.now() / 1000) - 600)),
      future: await post(carrier, body, signatureHeader(secret, body, Math.floor(Date.now() / 1000) + 600)),
    };
    for (const [name, response] of Object.entries(refusals)) {
      expect(response.status, name).toBe(401);
      expect(response.body.type, name).toBe('/problems/invalid-signature');
    }
    expect(refusals.stale.body.detail).toMatch(/old/);
    expect(refusals.future.body.detail).toMatch(/ahead/);
    expect(await current(order.orderId)).toEqual(order);
  });

  it('answers 400 with every failing field for a signed but invalid body, and 400 for signed non-JSON', async () => {
    const body = JSON.stringify({ eventId: 'evt bad', trackingNumber: 'SBX1', status: 'lost', occurredAt: 'yesterday' });
    const invalid = await post('zto', body);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['$.eventId', '$.occurredAt', '$.status']);
    const malformed = await post('zto', '{"eventId":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('/problems/malformed-json');
  });

  it('answers 400 for an exception without its code, a code without the exception, or a code not in the set', async () => {
    const { carrier, trackingNumber } = parcelOf(await shippedOrder());
    const report = (fields: Record<string, unknown>) =>
      JSON.stringify({ eventId: `evt-${++eventCounter}`, trackingNumber, occurredAt: new Date().toISOString(), ...fields });
    for (const fields of [
      { status: 'exception' },
      { status: 'in_transit', exceptionCode: 'DAMAGED' },
      { status: 'exception', exceptionCode: 'Left with neighbour Li Wei' },
    ]) {
      const refused = await post(carrier, report(fields));
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.body.errors.map((error: { path: string }) => error.path)).toEqual(['$.exceptionCode']);
    }
  });

  it('answers 404 for a tracking number we do not know, or one of another carrier', async () => {
    expect((await post('zto', callbackBody('SBXNOTOURS', 'picked_up'))).body.type).toBe('/problems/unknown-shipment');
    const { carrier, trackingNumber } = parcelOf(await shippedOrder());
    const otherCarrier = Object.keys(SECRETS).find((id) => id !== carrier)!;
    const crossed = await post(otherCarrier, callbackBody(trackingNumber, 'delivered'));
    expect(crossed.status).toBe(404);
  });
});

describe('accepted callbacks', () => {
  it('moves the order to SHIPPED then DELIVERED, answers a redelivery as a duplicate, and a late scan as stale', async () => {
    const order = await shippedOrder();
    const { carrier, trackingNumber, parcelId } = parcelOf(order);
    const pickedUp = callbackBody(trackingNumber, 'picked_up', `pu-${order.orderId}`);

    const first = await post(carrier, pickedUp);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ eventId: `pu-${order.orderId}`, outcome: 'applied', orderId: order.orderId, parcelId, orderStatus: 'SHIPPED' });
    const shipped = await current(order.orderId);
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: order.version + 1 });
    expect(parcelOf(shipped).status).toBe('picked_up');

    const again = await post(carrier, pickedUp);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    expect(await current(order.orderId)).toEqual(shipped);

    expect((await post(carrier, callbackBody(trackingNumber, 'delivered'))).body).toMatchObject({ outcome: 'applied', orderStatus: 'DELIVERED' });
    const delivered = await current(order.orderId);
    expect(delivered).toMatchObject({ status: 'DELIVERED', version: order.version + 2 });

    const late = callbackBody(trackingNumber, 'in_transit', `late-${order.orderId}`);
    expect((await post(carrier, late)).body).toMatchObject({ outcome: 'stale', orderStatus: 'DELIVERED' });
    expect((await post(carrier, late)).body).toMatchObject({ outcome: 'duplicate' });
    expect(await current(order.orderId)).toEqual(delivered);
  });

  it('records a delivery exception on the parcel as a new version, once, and keeps its status', async () => {
    const order = await shippedOrder();
    const { carrier, trackingNumber } = parcelOf(order);
    const failedAttempt = JSON.stringify({
      eventId: `ex-${order.orderId}`,
      trackingNumber,
      status: 'exception',
      exceptionCode: 'FAILED_ATTEMPT',
      occurredAt: new Date().toISOString(),
    });
    expect((await post(carrier, failedAttempt)).body).toMatchObject({ outcome: 'applied', orderStatus: 'SHIPMENT_REQUESTED' });
    const excepted = await current(order.orderId);
    expect(excepted).toMatchObject({ status: 'SHIPMENT_REQUESTED', version: order.version + 1 });
    expect(parcelOf(excepted).exception).toMatchObject({ code: 'FAILED_ATTEMPT' });
    expect(excepted.history.at(-1)).toMatchObject({ amendment: 'DELIVERY_EXCEPTION', by: { kind: 'carrier', id: carrier } });
    expect((await post(carrier, failedAttempt)).body.outcome).toBe('duplicate');
    expect(await current(order.orderId)).toEqual(excepted);
  });

  it('remembers each event id with an expiry, in the table', async () => {
    const order = await shippedOrder();
    const { carrier, trackingNumber } = parcelOf(order);
    await post(carrier, callbackBody(trackingNumber, 'picked_up', `ttl-${order.orderId}`));
    const { Item } = await createDocumentClient(localDynamoDbClient()).send(
      new GetCommand({ TableName: tableName, Key: carrierEventKey(carrier, `ttl-${order.orderId}`) }),
    );
    expect(Item).toMatchObject({ orderId: order.orderId, outcome: 'applied', status: 'picked_up' });
    const days = (Item!.expiresAt - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(13);
    expect(days).toBeLessThanOrEqual(14);
  });

  it('loses no callback when the parcels of one order are reported at the same time', async () => {
    const deps = dependencies();
    const base = await shippedOrder();
    // A second parcel on the same order, as a split route would make it, with its tracking item.
    const extra = { ...parcelOf(base), parcelId: `${base.orderId}-2`, trackingNumber: `SBX${base.orderId.slice(-10)}` };
    const before = await current(base.orderId);
    const twoParcels = { ...before, shipment: { parcels: [parcelOf(before), extra] } };
    expect(await deps.orders.commit({
      order: { before, after: twoParcels },
      tracking: [{ carrierId: extra.carrier, trackingNumber: extra.trackingNumber, parcel: { orderId: base.orderId, parcelId: extra.parcelId } }],
    })).toEqual({ ok: true });
    await post(extra.carrier, callbackBody(extra.trackingNumber, 'picked_up'));

    const results = await Promise.all([
      post(extra.carrier, callbackBody(parcelOf(base).trackingNumber, 'delivered')),
      post(extra.carrier, callbackBody(extra.trackingNumber, 'in_transit')),
      post(extra.carrier, callbackBody(parcelOf(base).trackingNumber, 'in_transit')),
    ]);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    const after = await current(base.orderId);
    expect(after.status).toBe('SHIPPED');
    expect(after.shipment?.parcels.map((parcel) => parcel.status)).toEqual(['delivered', 'in_transit']);
    // Each applied event was counted once: no write was decided on a read another one overtook.
    const applied = 1 + results.filter((result) => result.body.outcome === 'applied').length;
    expect(after.shipment?.carrierEvents).toBe(applied);
  });
});
