/**
 * Carriers on the local cloud, over HTTP only: signed callbacks take a shipped order to
 * DELIVERED exactly once whatever the carrier repeats or delivers late, and a carrier that
 * refuses every shipment request makes the workflow compensate and give the stock back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../functions/carriers/webhook-signature.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { localCarrierSecret } from '../../local/carrier-secrets.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { startTestCloud } from '../support/test-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localApi } from '../support/local-api.ts';

/** The API as the fixtures' channel and an operator would call it; carrier callbacks carry no token. */
const apis = new WeakMap<LocalCloud, ReturnType<typeof localApi>>();
function api(cloud: LocalCloud) {
  if (!apis.has(cloud)) apis.set(cloud, localApi(() => cloud));
  return apis.get(cloud)!;
}
function call(cloud: LocalCloud, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return api(cloud).call(method, path, body, headers);
}

function waitForStatus(cloud: LocalCloud, orderId: string, statuses: string[]) {
  return api(cloud).waitForStatus(orderId, statuses);
}

/** Places an order for a SKU of its own, stocked with `units`, and waits for the workflow to end. */
async function placeAndSettle(cloud: LocalCloud, units: number) {
  const sku = `CARRIER-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  expect((await call(cloud, 'PUT', `/inventory/${sku}`, JSON.stringify({ warehouses: { 'wh-shanghai': units } }))).status).toBe(200);
  const placed = await call(cloud, 'POST', '/orders', JSON.stringify(orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 1299 }] })));
  expect(placed.status).toBe(201);
  const order = await waitForStatus(cloud, placed.body.orderId, ['SHIPMENT_REQUESTED', 'FAILED', 'REJECTED']);
  return { sku, order };
}

async function start(functionEnvironment: Record<string, string> = {}, workflowRetryIntervalMs?: number) {
  const cloud = await startTestCloud({ functionEnvironment, ...(workflowRetryIntervalMs === undefined ? {} : { workflowRetryIntervalMs }) });
  expect((await call(cloud, 'PUT', '/policies/routing', JSON.stringify(DEMO_ROUTING_POLICY_DOCUMENT))).status).toBe(200);
  return cloud;
}

describe('carrier callbacks', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await start();
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  /** Posts the callback as the carrier would, signed with its local secret. */
  function callback(carrier: string, event: { eventId: string; trackingNumber: string; status: string; exceptionCode?: string }) {
    const body = JSON.stringify({ ...event, occurredAt: new Date().toISOString() });
    return call(cloud, 'POST', `/carriers/${carrier}/events`, body, { 'X-Carrier-Signature': signatureHeader(localCarrierSecret(carrier)!, body) });
  }

  it('takes the order to SHIPPED then DELIVERED once, whatever is repeated or late', async () => {
    const { order } = await placeAndSettle(cloud, 5);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    const [{ carrier, trackingNumber }] = order.shipment.parcels;
    const pickedUp = { eventId: `${order.orderId}-pu`, trackingNumber, status: 'picked_up' };

    expect(await callback(carrier, pickedUp)).toMatchObject({ status: 200, body: { outcome: 'applied', orderStatus: 'SHIPPED' } });
    const shipped = (await call(cloud, 'GET', `/orders/${order.orderId}`)).body;
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: order.version + 1 });

    expect(await callback(carrier, pickedUp)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect((await call(cloud, 'GET', `/orders/${order.orderId}`)).body).toEqual(shipped);

    const delivered = { eventId: `${order.orderId}-dl`, trackingNumber, status: 'delivered' };
    expect(await callback(carrier, delivered)).toMatchObject({ status: 200, body: { outcome: 'applied', orderStatus: 'DELIVERED' } });
    const late = { eventId: `${order.orderId}-it`, trackingNumber, status: 'in_transit' };
    expect(await callback(carrier, late)).toMatchObject({ status: 200, body: { outcome: 'stale', orderStatus: 'DELIVERED' } });
    const final = (await call(cloud, 'GET', `/orders/${order.orderId}`)).body;
    expect(final).toMatchObject({ status: 'DELIVERED', version: order.version + 2 });
    expect(final.shipment.parcels[0].status).toBe('delivered');

    await cloud.settle();
    const events = (await call(cloud, 'GET', `/_local/events?orderId=${order.orderId}`)).body;
    expect(events.map((event: { 'detail-type': string }) => event['detail-type'])).toEqual([
      'OrderPlaced',
      'OrderStockLocked',
      'OrderRouted',
      'OrderShipmentRequested',
      'OrderShipped',
      'OrderDelivered',
    ]);
    expect(events.at(-1).detail.data.shipment.parcels[0]).toMatchObject({ trackingNumber, status: 'delivered' });
  });

  it('publishes each parcel of a split order and a delivery exception, each naming its parcel', async () => {
    const sku = `SPLIT-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const stocked = await call(cloud, 'PUT', `/inventory/${sku}`, JSON.stringify({ warehouses: { 'wh-shanghai': 1, 'wh-guangzhou': 1 } }));
    expect(stocked.status).toBe(200);
    const placed = await call(cloud, 'POST', '/orders', JSON.stringify(orderRequest({ lines: [{ sku, quantity: 2, unitPrice: 1299 }] })));
    expect(placed.status).toBe(201);
    const order = await waitForStatus(cloud, placed.body.orderId, ['SHIPMENT_REQUESTED', 'FAILED', 'REJECTED']);
    expect(order.status).toBe('SHIPMENT_REQUESTED');
    expect(order.shipment.parcels).toHaveLength(2);
    const [first, second] = order.shipment.parcels as Array<{ parcelId: string; carrier: string; trackingNumber: string }>;
    const report = (parcel: typeof first, status: string, extra: Record<string, string> = {}) =>
      callback(parcel!.carrier, { eventId: `${parcel!.parcelId}-${status}`, trackingNumber: parcel!.trackingNumber, status, ...extra });

    expect((await report(first, 'exception', { exceptionCode: 'FAILED_ATTEMPT' })).body).toMatchObject({ outcome: 'applied', orderStatus: 'SHIPMENT_REQUESTED' });
    expect((await report(first, 'picked_up')).body).toMatchObject({ outcome: 'applied', orderStatus: 'SHIPPED' });
    expect((await report(second, 'picked_up')).body).toMatchObject({ outcome: 'applied', orderStatus: 'SHIPPED' });
    expect((await report(first, 'delivered')).body).toMatchObject({ outcome: 'applied', orderStatus: 'SHIPPED' });
    expect((await report(second, 'delivered')).body).toMatchObject({ outcome: 'applied', orderStatus: 'DELIVERED' });

    await cloud.settle();
    const events = (await call(cloud, 'GET', `/_local/events?orderId=${order.orderId}`)).body as Array<{
      'detail-type': string;
      detail: { data: { parcel?: { parcelId: string; exception?: { code: string } } } };
    }>;
    expect(events.map((event) => event['detail-type']).slice(4)).toEqual([
      'DeliveryException',
      'OrderShipped',
      'ParcelShipped',
      'ParcelDelivered',
      'OrderDelivered',
    ]);
    const about = (type: string) => events.find((event) => event['detail-type'] === type)!.detail.data.parcel;
    expect(about('DeliveryException')).toMatchObject({ parcelId: first!.parcelId, exception: { code: 'FAILED_ATTEMPT' } });
    expect(about('ParcelShipped')).toMatchObject({ parcelId: second!.parcelId });
    expect(about('ParcelDelivered')?.parcelId).toBe(first!.parcelId);
    // The pick-up moved the parcel on past its failed attempt.
    expect(about('ParcelDelivered')).not.toHaveProperty('exception');
  });

  it('needs no channel credentials but refuses an unsigned or wrongly signed callback with 401', async () => {
    const body = JSON.stringify({ eventId: 'forged', trackingNumber: 'SBX000000000000', status: 'delivered', occurredAt: new Date().toISOString() });
    const unsigned = await call(cloud, 'POST', '/carriers/sf-express/events', body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toBe('application/problem+json');
    const forged = await call(cloud, 'POST', '/carriers/sf-express/events', body, {
      'X-Carrier-Signature': signatureHeader(localCarrierSecret('zto')!, body),
    });
    expect(forged.body).toMatchObject({ status: 401, type: '/problems/invalid-signature' });
  });
});

describe('a carrier that refuses every shipment request', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    // Every RequestShipment attempt fails: its retrier runs all its attempts, without waiting out the backoff between them.
    cloud = await start({ SANDBOX_CARRIER_FAILURE_RATE: '1' }, 50);
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('makes the workflow compensate: the order ends FAILED and its stock is available again', async () => {
    const { sku, order } = await placeAndSettle(cloud, 5);
    expect(order).toMatchObject({ status: 'FAILED', failureReason: 'RequestShipment: TransientError' });
    expect(order.shipment).toBeUndefined();
    expect((await call(cloud, 'GET', `/inventory/${sku}`)).body).toMatchObject({ onHand: 5, reserved: 0, availableToPromise: 5 });
    await cloud.settle();
    const execution = cloud.stepFunctions.listExecutions().find((e) => JSON.stringify(e.input).includes(order.orderId));
    expect(execution?.status).toBe('FAILED');
    const events = (await call(cloud, 'GET', `/_local/events?orderId=${order.orderId}`)).body;
    expect(events.at(-1)['detail-type']).toBe('OrderFailed');
  }, 90_000);
});
