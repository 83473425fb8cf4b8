/**
 * The return aggregate, pure: what may be returned (delivered, within the window, returnable,
 * never more units than are left), its lifecycle, the inspection's restock and the refund amount.
 */
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../functions/domain/order.ts';
import { DEFAULT_RETURN_POLICY, type ReturnPolicy } from '../../functions/domain/return-policy.ts';
import {
  applyReturnScan,
  approveReturn,
  autoApproved,
  completeRefund,
  emptyLedger,
  inspectReturn,
  issueLabel,
  rejectReturn,
  releasedLedger,
  releasesUnits,
  requestRefund,
  requestReturn,
  type Return,
} from '../../functions/domain/returns.ts';
import { returnEventOf } from '../../functions/domain/return-events.ts';
import { IllegalReturnTransition, InvalidReturnRequest, ReturnNotAllowed } from '../../functions/domain/errors.ts';
import { orderThrough } from '../fixtures/lifecycle.ts';
import { orderRequest } from '../fixtures/orders.ts';

const DELIVERED_AT = '2025-04-02T08:14:00.000Z';
const placed = placeOrder(
  orderRequest({
    channelOrderId: 'WEB-RET-1',
    lines: [
      { sku: 'TEA-001', quantity: 2, unitPrice: 1299 },
      { sku: 'ICE-9', quantity: 1, unitPrice: 500, attributes: { coldChain: true } },
    ],
  }),
  '01JRETURNORDER0000000000000',
  '2025-04-02T08:00:00.000Z',
);
const delivered = orderThrough(placed, 'DELIVERED');
const policy: { document: ReturnPolicy; version: number } = {
  version: 3,
  document: { windowDays: 30, nonReturnable: { skus: [], attributes: ['coldChain'] }, autoApprove: [{ reasonCodes: ['DEFECTIVE'], tiers: ['plus'] }] },
};
const day = (n: number) => new Date(Date.parse(DELIVERED_AT) + n * 86_400_000).toISOString();
const ids = (n = 1) => ({ returnId: `01JRETURN${String(n).padStart(17, '0')}`, now: day(n) });

function requested(quantity = 2, reasonCode: Return['reasonCode'] = 'DEFECTIVE') {
  return requestReturn(delivered, emptyLedger(delivered.orderId), { lines: [{ sku: 'TEA-001', quantity }], reasonCode }, policy, ids());
}

/** A return taken to RECEIVED through label and scans. */
function received(reasonCode: Return['reasonCode'] = 'DEFECTIVE'): Return {
  const approved = approveReturn(requested(2, reasonCode).created, day(1));
  const labelled = issueLabel(approved, { carrier: 'zto', trackingNumber: 'SBR1', parcelId: 'r-1', warehouseId: 'WH-NORTH' }, day(1));
  const outcome = applyReturnScan(labelled, { status: 'delivered', occurredAt: day(3) }, day(3));
  if (!outcome.applied) throw new Error('not received');
  return outcome.after;
}

describe('requesting a return', () => {
  it('takes delivered units within the window, at the order unit price, from the warehouse that shipped them', () => {
    const { created, ledger } = requested();
    expect(created).toMatchObject({
      status: 'REQUESTED',
      version: 1,
      orderId: delivered.orderId,
      policyVersion: 3,
      lines: [{ sku: 'TEA-001', quantity: 2, unitPrice: 1299, warehouseId: 'WH-NORTH' }],
    });
    expect(ledger.returned).toEqual({ 'TEA-001': 2 });
  });

  it('refuses an order that is not delivered, and one past the window', () => {
    const shipped = orderThrough(placed, 'SHIPPED');
    expect(() => requestReturn(shipped, emptyLedger(shipped.orderId), { lines: [{ sku: 'TEA-001', quantity: 1 }], reasonCode: 'OTHER' }, policy, ids())).toThrow(ReturnNotAllowed);
    const late = { ...ids(), now: day(30.01) };
    expect(() => requestReturn(delivered, emptyLedger(delivered.orderId), { lines: [{ sku: 'TEA-001', quantity: 1 }], reasonCode: 'OTHER' }, policy, late)).toThrow(/window of 30 days/);
    const lastMoment = { ...ids(), now: day(30) };
    expect(requestReturn(delivered, emptyLedger(delivered.orderId), { lines: [{ sku: 'TEA-001', quantity: 1 }], reasonCode: 'OTHER' }, policy, lastMoment).created.status).toBe('REQUESTED');
  });

  it('names the lines: unknown SKUs (400), non-returnable products and units beyond what is left (409)', () => {
    const ledger = { ...emptyLedger(delivered.orderId), returned: { 'TEA-001': 1 }, revision: 1 };
    const ask = (lines: Array<{ sku: string; quantity: number }>) => () => requestReturn(delivered, ledger, { lines, reasonCode: 'OTHER' }, policy, ids());
    expect(ask([{ sku: 'NOPE', quantity: 1 }])).toThrow(InvalidReturnRequest);
    try {
      ask([{ sku: 'TEA-001', quantity: 2 }, { sku: 'ICE-9', quantity: 1 }])();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReturnNotAllowed);
      expect((error as ReturnNotAllowed).issues).toEqual([
        { path: '$.lines[0].quantity', message: '1 unit(s) of TEA-001 are left to return' },
        { path: '$.lines[1].sku', message: 'ICE-9 is not returnable (coldChain)' },
      ]);
    }
    expect(ask([{ sku: 'TEA-001', quantity: 1 }])().ledger.returned).toEqual({ 'TEA-001': 2 });
  });

  it('auto-approves by reason and tier as the policy says; the default policy approves nothing', () => {
    expect(autoApproved(policy.document, 'DEFECTIVE', 'plus')).toBe(true);
    expect(autoApproved(policy.document, 'DEFECTIVE', 'vip')).toBe(false);
    expect(autoApproved(policy.document, 'CHANGED_MIND', 'plus')).toBe(false);
    expect(autoApproved(DEFAULT_RETURN_POLICY, 'DEFECTIVE', 'plus')).toBe(false);
  });
});

describe('the return lifecycle', () => {
  it('approves once; rejecting gives the units back; a rejected return cannot be approved', () => {
    const { created, ledger } = requested();
    const approved = approveReturn(created, day(1));
    expect(approved).toMatchObject({ status: 'APPROVED', version: 2 });
    expect(approveReturn(approved, day(2))).toBe(approved);
    const rejected = rejectReturn(created, day(1));
    expect(releasesUnits(created, rejected)).toBe(true);
    expect(releasedLedger(ledger, created).returned).toEqual({ 'TEA-001': 0 });
    expect(() => approveReturn(rejected, day(2))).toThrow(IllegalReturnTransition);
    expect(() => rejectReturn(approved, day(2))).toThrow(IllegalReturnTransition);
  });

  it('moves on carrier scans only forwards: picked up → IN_TRANSIT, delivered → RECEIVED; late, repeated and exception scans are stale', () => {
    const labelled = issueLabel(approveReturn(requested().created, day(1)), { carrier: 'zto', trackingNumber: 'SBR1', parcelId: 'r-1', warehouseId: 'WH-NORTH' }, day(1));
    expect(labelled).toMatchObject({ status: 'LABEL_ISSUED', version: 3 });
    const picked = applyReturnScan(labelled, { status: 'picked_up', occurredAt: day(2) }, day(2));
    expect(picked.applied && picked.after.status).toBe('IN_TRANSIT');
    const inTransit = picked.applied ? picked.after : labelled;
    expect(applyReturnScan(inTransit, { status: 'in_transit', occurredAt: day(2) }, day(2)).applied).toBe(false);
    expect(applyReturnScan(inTransit, { status: 'exception', occurredAt: day(2) }, day(2)).applied).toBe(false);
    const arrived = applyReturnScan(inTransit, { status: 'delivered', occurredAt: day(3) }, day(3));
    expect(arrived.applied && arrived.after).toMatchObject({ status: 'RECEIVED', version: 5, label: { status: 'delivered' } });
    if (arrived.applied) expect(applyReturnScan(arrived.after, { status: 'picked_up', occurredAt: day(1) }, day(4)).applied).toBe(false);
    // The pick-up scan lost: delivered straight from LABEL_ISSUED.
    const straight = applyReturnScan(labelled, { status: 'delivered', occurredAt: day(3) }, day(3));
    expect(straight.applied && straight.after.status).toBe('RECEIVED');
  });

  it('inspects once: restock of the sellable units at the shipping warehouse; the same inspection again changes nothing, other figures are refused', () => {
    const ret = received();
    const { after, restock } = inspectReturn(ret, [{ sku: 'TEA-001', sellable: 1, damaged: 1 }], day(4));
    expect(after?.status).toBe('INSPECTED');
    expect(restock).toEqual([{ sku: 'TEA-001', warehouseId: 'WH-NORTH', quantity: 1 }]);
    expect(inspectReturn(after!, [{ sku: 'TEA-001', sellable: 1, damaged: 1 }], day(5))).toEqual({ after: undefined, restock: [] });
    expect(() => inspectReturn(after!, [{ sku: 'TEA-001', sellable: 2, damaged: 0 }], day(5))).toThrow(IllegalReturnTransition);
    expect(() => inspectReturn(ret, [{ sku: 'TEA-001', sellable: 1, damaged: 0 }], day(4))).toThrow(InvalidReturnRequest);
    expect(() => inspectReturn(requested().created, [{ sku: 'TEA-001', sellable: 2, damaged: 0 }], day(4))).toThrow(IllegalReturnTransition);
  });

  it("refunds sellable units, and damaged ones only when the reason is the seller's fault", () => {
    const inspect = (ret: Return) => inspectReturn(ret, [{ sku: 'TEA-001', sellable: 1, damaged: 1 }], day(4)).after!;
    const defective = requestRefund(inspect(received('DEFECTIVE')), day(4));
    expect(defective).toMatchObject({ status: 'REFUND_REQUESTED', refund: { amount: 2598, currency: 'CNY', units: 2 } });
    const changedMind = requestRefund(inspect(received('CHANGED_MIND')), day(4));
    expect(changedMind.refund).toEqual({ amount: 1299, currency: 'CNY', units: 1 });
    expect(requestRefund(defective, day(5))).toBe(defective);
    const refunded = completeRefund(defective, 'PAY-REF-1', day(5));
    expect(refunded).toMatchObject({ status: 'REFUNDED', refund: { amount: 2598, reference: 'PAY-REF-1' } });
    expect(completeRefund(refunded, 'PAY-REF-1', day(6))).toBe(refunded);
    expect(() => completeRefund(refunded, 'PAY-REF-2', day(6))).toThrow(IllegalReturnTransition);
  });

  it('publishes every status as its event, with no personal data', () => {
    const ret = requestRefund(inspectReturn(received(), [{ sku: 'TEA-001', sellable: 2, damaged: 0 }], day(4)).after!, day(4));
    const event = returnEventOf(ret);
    expect(event).toMatchObject({ type: 'RefundRequested', eventId: `${ret.returnId}:${ret.version}`, previousStatus: 'INSPECTED', data: { refund: { amount: 2598 } } });
    const text = JSON.stringify(event);
    for (const personal of ['Li Wei', '8000', 'Century', '200000', 'cust-42']) expect(text).not.toContain(personal);
    expect(returnEventOf(requested().created).type).toBe('ReturnRequested');
  });
});
