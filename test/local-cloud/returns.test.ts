/**
 * A return on the local cloud, over HTTP only: an order delivered through signed carrier
 * callbacks, a return the demo policy auto-approves, its label, the return parcel's callbacks
 * (duplicated and late), the inspection with its restock, the refund request with its amount,
 * the refund; stock and amounts exact, every event valid against the checked-in contracts, and no
 * personal data on the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../functions/carriers/webhook-signature.ts';
import { SCOPES } from '../../functions/http/access.ts';
import { DEMO_RETURN_POLICY_DOCUMENT } from '../../functions/domain/return-policy.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { localCarrierSecret } from '../../local/carrier-secrets.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { checkedInDetailValidator } from '../support/event-contracts.ts';
import { localApi } from '../support/local-api.ts';
import { NO_PARTNERS, startTestCloud } from '../support/test-cloud.ts';

let cloud: LocalCloud;
const { call, waitForStatus } = localApi(() => cloud);
let operator: string;

beforeAll(async () => {
  cloud = await startTestCloud({ partnersFile: NO_PARTNERS });
  expect((await call('PUT', '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT)).status).toBe(200);
  expect((await call('PUT', '/policies/returns', DEMO_RETURN_POLICY_DOCUMENT)).status).toBe(200);
  operator = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.support] })}`;
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** An operator's call (support scope). */
const asOperator = (method: string, path: string, body?: unknown) => call(method, path, body, { authorization: operator });

/** Posts a carrier callback, signed with the carrier's local secret. */
function callback(carrier: string, event: { eventId: string; trackingNumber: string; status: string }) {
  const body = JSON.stringify({ ...event, occurredAt: new Date().toISOString() });
  return call('POST', `/carriers/${carrier}/events`, body, { 'X-Carrier-Signature': signatureHeader(localCarrierSecret(carrier)!, body) });
}

/** An order of 3 units at 1299, of a SKU stocked with 10 at wh-shanghai, taken to DELIVERED by its carrier. */
async function deliveredOrder() {
  const sku = `RETURN-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  expect((await call('PUT', `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 10 } })).status).toBe(200);
  const placed = await call('POST', '/orders', orderRequest({ lines: [{ sku, quantity: 3, unitPrice: 1299 }] }));
  expect(placed.status).toBe(201);
  const order = await waitForStatus(placed.body.orderId, ['SHIPMENT_REQUESTED', 'FAILED', 'REJECTED']);
  expect(order.status).toBe('SHIPMENT_REQUESTED');
  const [{ carrier, trackingNumber }] = order.shipment.parcels;
  expect((await callback(carrier, { eventId: `${order.orderId}-pu`, trackingNumber, status: 'picked_up' })).status).toBe(200);
  expect((await callback(carrier, { eventId: `${order.orderId}-dl`, trackingNumber, status: 'delivered' })).body).toMatchObject({ orderStatus: 'DELIVERED' });
  return { sku, orderId: order.orderId as string };
}

describe('a return over HTTP', () => {
  it('goes from request to refund: auto-approved, labelled, carried back, inspected, restocked once, refunded', async () => {
    const { sku, orderId } = await deliveredOrder();
    const stockBefore = (await call('GET', `/inventory/${sku}`)).body;
    // Shipped units stay allocated to their order in the counters (there is no ship-out deduction).
    expect(stockBefore).toMatchObject({ onHand: 10, reserved: 3, availableToPromise: 7 });

    // Nothing more than was delivered, and only the order's own lines.
    const tooMany = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 4 }], reasonCode: 'DEFECTIVE' });
    expect(tooMany.body).toMatchObject({ status: 409, type: '/problems/return-not-allowed', errors: [{ path: '$.lines[0].quantity' }] });
    const unknown = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku: 'NOT-ON-ORDER', quantity: 1 }], reasonCode: 'DEFECTIVE' });
    expect(unknown.body).toMatchObject({ status: 400, errors: [{ path: '$.lines[0].sku', pointer: '/lines/0/sku' }] });
    const freeText = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 1 }], reasonCode: 'my neighbour Li Wei broke it' });
    expect(freeText.status).toBe(400);

    const requested = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 3 }], reasonCode: 'DEFECTIVE' }, { 'Idempotency-Key': `ret-${orderId}` });
    expect(requested.status).toBe(201);
    const ret = requested.body;
    expect(ret).toMatchObject({ status: 'LABEL_ISSUED', orderId, version: 3, lines: [{ sku, quantity: 3, unitPrice: 1299, warehouseId: 'wh-shanghai' }] });
    expect(requested.headers.get('location')).toBe(`/returns/${ret.returnId}`);
    const repeat = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 3 }], reasonCode: 'DEFECTIVE' }, { 'Idempotency-Key': `ret-${orderId}` });
    expect(repeat).toMatchObject({ status: 200, body: { returnId: ret.returnId } });
    expect((await call('GET', `/orders/${orderId}/returns`)).body.items.map((r: { returnId: string }) => r.returnId)).toEqual([ret.returnId]);

    // The return parcel's callbacks, duplicated and out of order.
    const { carrier, trackingNumber } = ret.label;
    const scan = (eventId: string, status: string) => callback(carrier, { eventId: `${ret.returnId}-${eventId}`, trackingNumber, status });
    expect((await scan('pu', 'picked_up')).body).toMatchObject({ outcome: 'applied', returnId: ret.returnId, returnStatus: 'IN_TRANSIT' });
    expect((await scan('pu', 'picked_up')).body).toMatchObject({ outcome: 'duplicate', returnStatus: 'IN_TRANSIT' });
    const arrivals = await Promise.all([scan('dl', 'delivered'), scan('dl', 'delivered')]);
    expect(arrivals.map((a) => a.body.outcome).sort()).toEqual(['applied', 'duplicate']);
    expect((await scan('late', 'in_transit')).body).toMatchObject({ outcome: 'stale', returnStatus: 'RECEIVED' });
    expect((await call('GET', `/returns/${ret.returnId}`)).body).toMatchObject({ status: 'RECEIVED', version: 5 });
    // The forward order stays delivered.
    expect((await call('GET', `/orders/${orderId}`)).body.status).toBe('DELIVERED');

    // A channel cannot inspect; an inspection that does not add up names the line.
    expect((await call('POST', `/returns/${ret.returnId}/inspection`, { lines: [{ sku, sellable: 2, damaged: 1 }] })).status).toBe(403);
    const wrong = await asOperator('POST', `/returns/${ret.returnId}/inspection`, { lines: [{ sku, sellable: 1, damaged: 1 }] });
    expect(wrong.body).toMatchObject({ status: 400, errors: [{ path: '$.lines[0]' }] });

    const inspections = await Promise.all(
      Array.from({ length: 3 }, () => asOperator('POST', `/returns/${ret.returnId}/inspection`, { lines: [{ sku, sellable: 2, damaged: 1 }] })),
    );
    expect(inspections.map((response) => response.status)).toEqual([200, 200, 200]);
    const inspected = (await call('GET', `/returns/${ret.returnId}`)).body;
    // DEFECTIVE is the seller's fault: the damaged unit is refunded too.
    expect(inspected).toMatchObject({ status: 'REFUND_REQUESTED', refund: { amount: 3 * 1299, currency: 'CNY', units: 3 } });
    const stockAfter = (await call('GET', `/inventory/${sku}`)).body;
    // The two sellable units are on hand and available again; the order's allocation is untouched.
    expect(stockAfter).toMatchObject({ onHand: 12, reserved: 3, availableToPromise: 9 });
    const other = await asOperator('POST', `/returns/${ret.returnId}/inspection`, { lines: [{ sku, sellable: 3, damaged: 0 }] });
    expect(other.body).toMatchObject({ status: 409, type: '/problems/illegal-return-transition' });

    const refunded = await asOperator('POST', `/returns/${ret.returnId}/refund`, { reference: 'PSP-REFUND-7731' });
    expect(refunded.body).toMatchObject({ status: 'REFUNDED', refund: { reference: 'PSP-REFUND-7731', amount: 3897 } });
    expect((await asOperator('POST', `/returns/${ret.returnId}/refund`, { reference: 'PSP-REFUND-7731' })).status).toBe(200);
    expect((await asOperator('POST', `/returns/${ret.returnId}/refund`, { reference: 'PSP-OTHER' })).status).toBe(409);
    expect((await call('GET', `/inventory/${sku}`)).body).toMatchObject({ onHand: 12, availableToPromise: 9 });

    await cloud.settle();
    const events = (await call('GET', `/_local/events?orderId=${orderId}`)).body as Array<{ 'detail-type': string; detail: any }>;
    const returnEvents = events.filter((event) => event.detail.returnId === ret.returnId);
    expect(returnEvents.map((event) => event['detail-type'])).toEqual([
      'ReturnRequested',
      'ReturnApproved',
      'ReturnLabelIssued',
      'ReturnInTransit',
      'ReturnReceived',
      'ReturnInspected',
      'RefundRequested',
      'RefundCompleted',
    ]);
    expect(returnEvents.map((event) => event.detail.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(returnEvents.find((event) => event['detail-type'] === 'RefundRequested')!.detail.data.refund).toEqual({ amount: 3897, currency: 'CNY', units: 3 });
    const validate = checkedInDetailValidator();
    for (const event of events) expect(validate(event.detail), event['detail-type']).toEqual([]);
    const onTheBus = JSON.stringify(returnEvents);
    for (const personal of ['Li Wei', '138 0013', '88 Century Avenue', '200000', 'cust-42']) expect(onTheBus).not.toContain(personal);
  }, 120_000);

  it('waits for an operator when the policy does not auto-approve; a rejected return gives its units back', async () => {
    const { sku, orderId } = await deliveredOrder();
    const requested = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 3 }], reasonCode: 'CHANGED_MIND' });
    expect(requested.body).toMatchObject({ status: 'REQUESTED', version: 1 });
    expect((await call('POST', `/returns/${requested.body.returnId}/reject`)).status).toBe(403);
    expect((await asOperator('POST', `/returns/${requested.body.returnId}/reject`)).body).toMatchObject({ status: 'REJECTED' });
    const again = await call('POST', `/orders/${orderId}/returns`, { lines: [{ sku, quantity: 3 }], reasonCode: 'CHANGED_MIND' });
    expect(again.status).toBe(201);
    expect((await asOperator('POST', `/returns/${again.body.returnId}/approve`)).body).toMatchObject({ status: 'LABEL_ISSUED' });
    // Another channel's token does not see it.
    const stranger = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.channel], channel: 'marketplace' })}`;
    expect((await call('GET', `/returns/${again.body.returnId}`, undefined, { authorization: stranger })).status).toBe(404);
  }, 120_000);
});
