/**
 * Carrier events applied per parcel: forward-only parcel statuses, the order's status
 * derived from its parcels, and out-of-order callbacks that change nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IllegalTransition, UnknownShipment } from '../../functions/domain/errors.ts';
import { placeOrder, transition, type Order, type ShippedParcel } from '../../functions/domain/order.ts';
import { applyTrackingEvent, trackingEventOf, type TrackingEvent } from '../../functions/domain/shipment-tracking.ts';
import { orderEventOf } from '../../functions/domain/events.ts';
import { PARCEL_STATUSES, type ParcelStatus } from '../../functions/domain/vocabulary.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { ROUTE } from '../fixtures/lifecycle.ts';

const T0 = '2026-11-20T08:00:00.000Z';
const NOW = '2026-11-20T09:00:00.000Z';

function parcel(n: number): ShippedParcel {
  return { parcelId: `ORDER-${n}`, warehouseId: 'wh-shanghai', carrier: 'sf-express', trackingNumber: `SBX${n}` };
}

/** An order whose shipment of `parcelCount` parcels was requested. */
function requested(parcelCount = 1): Order {
  let order = placeOrder(orderRequest(), '01JAXZ6M3Q8T9V2W4Y5Z7B8C9D', T0);
  order = transition(transition(order, 'STOCK_LOCKED', T0), 'ROUTED', T0, { route: ROUTE });
  const parcels = Array.from({ length: parcelCount }, (_, i) => parcel(i + 1));
  return transition(order, 'SHIPMENT_REQUESTED', T0, { shipment: { parcels } });
}

const event = (trackingNumber: string, status: ParcelStatus, occurredAt = '2026-11-20T08:30:00.000Z'): TrackingEvent => ({
  trackingNumber,
  status,
  occurredAt,
});

/** Applies the event and returns the order as saved after it. */
function apply(order: Order, trackingEvent: TrackingEvent): Order {
  const outcome = applyTrackingEvent(order, trackingEvent, NOW);
  if (!outcome.applied) throw new Error(`expected the event to apply: ${outcome.reason}`);
  return outcome.writes.at(-1)!;
}

describe('one parcel', () => {
  it('is SHIPPED on pick-up, with the parcel status and the carrier\'s time recorded', () => {
    const order = requested();
    const outcome = applyTrackingEvent(order, event('SBX1', 'picked_up'), NOW);
    expect(outcome).toMatchObject({ applied: true, parcelId: 'ORDER-1' });
    if (!outcome.applied) return;
    expect(outcome.writes).toHaveLength(1);
    const shipped = outcome.writes[0];
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: order.version + 1, updatedAt: NOW });
    expect(shipped.shipment).toEqual({
      parcels: [{ ...parcel(1), status: 'picked_up', statusAt: '2026-11-20T08:30:00.000Z' }],
      carrierEvents: 1,
    });
    expect(shipped.history.at(-1)).toEqual({
      from: 'SHIPMENT_REQUESTED',
      to: 'SHIPPED',
      at: NOW,
      reason: 'ORDER-1 picked_up',
      changed: [{ field: 'shipment' }],
    });
  });

  it('records in-transit scans on the parcel without a transition (no event)', () => {
    const shipped = apply(requested(), event('SBX1', 'picked_up'));
    const moving = apply(shipped, event('SBX1', 'in_transit'));
    expect(moving).toMatchObject({ status: 'SHIPPED', version: shipped.version, history: shipped.history });
    expect(moving.shipment).toMatchObject({ parcels: [{ status: 'in_transit' }], carrierEvents: 2 });
  });

  it('is DELIVERED on delivery', () => {
    const shipped = apply(requested(), event('SBX1', 'picked_up'));
    const delivered = apply(shipped, event('SBX1', 'delivered'));
    expect(delivered).toMatchObject({ status: 'DELIVERED', version: shipped.version + 1 });
  });

  it('goes through SHIPPED when delivery is the first thing the carrier reports', () => {
    const order = requested();
    const outcome = applyTrackingEvent(order, event('SBX1', 'delivered'), NOW);
    if (!outcome.applied) throw new Error('expected to apply');
    expect(outcome.writes.map((write) => [write.status, write.version, write.shipment?.parcels[0]?.status])).toEqual([
      ['SHIPPED', order.version + 1, 'picked_up'],
      ['DELIVERED', order.version + 2, 'delivered'],
    ]);
    // Had the process stopped after the first write, the same event still moves the order on.
    expect(apply(outcome.writes[0], event('SBX1', 'delivered')).status).toBe('DELIVERED');
  });

  it('treats a late or repeated status as stale: accepted, nothing changes', () => {
    const delivered = apply(apply(requested(), event('SBX1', 'picked_up')), event('SBX1', 'delivered'));
    for (const status of PARCEL_STATUSES) {
      expect(applyTrackingEvent(delivered, event('SBX1', status), NOW)).toEqual({
        applied: false,
        parcelId: 'ORDER-1',
        reason: 'Parcel ORDER-1 is already delivered',
      });
    }
    const shipped = apply(requested(), event('SBX1', 'in_transit'));
    expect(applyTrackingEvent(shipped, event('SBX1', 'picked_up'), NOW).applied).toBe(false);
  });
});

describe('several parcels', () => {
  it('is SHIPPED with the first pick-up and DELIVERED only when every parcel is', () => {
    let order = requested(3);
    order = apply(order, event('SBX2', 'picked_up'));
    expect(order.status).toBe('SHIPPED');
    order = apply(order, event('SBX2', 'delivered'));
    order = apply(order, event('SBX1', 'delivered'));
    expect(order.status).toBe('SHIPPED');
    expect(order.shipment?.parcels.map((p) => p.status)).toEqual(['delivered', 'delivered', undefined]);
    order = apply(order, event('SBX3', 'delivered'));
    expect(order.status).toBe('DELIVERED');
    expect(order.shipment?.carrierEvents).toBe(4);
  });

  it('ends in the same state whatever order the callbacks arrive in', () => {
    const events = [1, 2].flatMap((n) => PARCEL_STATUSES.map((status) => event(`SBX${n}`, status)));
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (shuffled) => {
        let order = requested(2);
        for (const trackingEvent of shuffled) {
          const outcome = applyTrackingEvent(order, trackingEvent, NOW);
          if (outcome.applied) order = outcome.writes.at(-1)!;
        }
        expect(order.status).toBe('DELIVERED');
        expect(order.shipment?.parcels.map((p) => p.status)).toEqual(['delivered', 'delivered']);
        // Every transition on the way was a legal one, each at most once.
        expect(order.history.map((entry) => entry.to).slice(-2)).toEqual(['SHIPPED', 'DELIVERED']);
      }),
    );
  });
});

describe('events per parcel', () => {
  it('makes each parcel that does not move the order an amendment of its own, with the parcel named', () => {
    let order = requested(2);
    order = apply(order, event('SBX1', 'picked_up'));
    expect(order.history.at(-1)).toMatchObject({ to: 'SHIPPED', reason: 'ORDER-1 picked_up' });
    expect(order.history.at(-1)!.amendment).toBeUndefined();

    const shipped = apply(order, event('SBX2', 'picked_up'));
    expect(shipped).toMatchObject({ status: 'SHIPPED', version: order.version + 1 });
    expect(shipped.history.at(-1)).toEqual({
      from: 'SHIPPED',
      to: 'SHIPPED',
      at: NOW,
      amendment: 'PARCEL_SHIPPED',
      parcelId: 'ORDER-2',
      reason: 'ORDER-2 picked_up',
    });
    expect(orderEventOf(shipped)).toMatchObject({
      type: 'ParcelShipped',
      status: 'SHIPPED',
      previousStatus: 'SHIPPED',
      data: { parcel: { parcelId: 'ORDER-2', status: 'picked_up' } },
    });

    // A scan between pick-up and delivery is recorded without a version, hence without an event.
    const scanned = apply(shipped, event('SBX2', 'in_transit'));
    expect(scanned.version).toBe(shipped.version);
    expect(scanned.shipment?.parcels[1]?.status).toBe('in_transit');

    const oneDelivered = apply(scanned, event('SBX1', 'delivered'));
    expect(oneDelivered.history.at(-1)).toMatchObject({ amendment: 'PARCEL_DELIVERED', parcelId: 'ORDER-1' });
    expect(orderEventOf(oneDelivered)).toMatchObject({ type: 'ParcelDelivered', data: { parcel: { parcelId: 'ORDER-1', status: 'delivered' } } });

    const delivered = apply(oneDelivered, event('SBX2', 'delivered'));
    expect(delivered.history.at(-1)).toMatchObject({ from: 'SHIPPED', to: 'DELIVERED' });
    expect(orderEventOf(delivered).type).toBe('OrderDelivered');
  });

  it('adds no parcel amendment to a one-parcel order: its transitions say it all', () => {
    let order = requested(1);
    for (const status of PARCEL_STATUSES) order = apply(order, event('SBX1', status));
    expect(order.history.filter((entry) => entry.amendment)).toEqual([]);
  });
});

describe('delivery exceptions', () => {
  const exception = (code: 'FAILED_ATTEMPT' | 'DAMAGED' | 'LOST', occurredAt = '2026-11-20T08:40:00.000Z', trackingNumber = 'SBX1'): TrackingEvent =>
    trackingEventOf({ trackingNumber, status: 'exception', exceptionCode: code, occurredAt });

  it('records the code on the parcel as an amendment that keeps the parcel and order status', () => {
    const order = apply(requested(2), event('SBX1', 'out_for_delivery'));
    const failed = apply(order, exception('FAILED_ATTEMPT'));
    expect(failed).toMatchObject({ status: 'SHIPPED', version: order.version + 1 });
    expect(failed.shipment?.parcels[0]).toMatchObject({ status: 'out_for_delivery', exception: { code: 'FAILED_ATTEMPT', at: '2026-11-20T08:40:00.000Z' } });
    expect(failed.history.at(-1)).toMatchObject({ amendment: 'DELIVERY_EXCEPTION', parcelId: 'ORDER-1', reason: 'ORDER-1 exception FAILED_ATTEMPT' });
    const published = orderEventOf(failed);
    expect(published).toMatchObject({
      type: 'DeliveryException',
      data: { parcel: { parcelId: 'ORDER-1', exception: { code: 'FAILED_ATTEMPT' } } },
    });
  });

  it('may come before any pick-up, and leaves the order where it is', () => {
    const lost = apply(requested(1), exception('LOST'));
    expect(lost.status).toBe('SHIPMENT_REQUESTED');
    expect(orderEventOf(lost)).toMatchObject({ type: 'DeliveryException', status: 'SHIPMENT_REQUESTED', previousStatus: 'SHIPMENT_REQUESTED' });
  });

  it('treats the same or an older report as stale, and a newer one as news', () => {
    const failed = apply(requested(1), exception('FAILED_ATTEMPT'));
    expect(applyTrackingEvent(failed, exception('FAILED_ATTEMPT'), NOW)).toMatchObject({ applied: false });
    expect(applyTrackingEvent(failed, exception('DAMAGED', '2026-11-20T08:39:00.000Z'), NOW)).toMatchObject({ applied: false });
    const damaged = apply(failed, exception('DAMAGED', '2026-11-20T09:10:00.000Z'));
    expect(damaged.shipment?.parcels[0]?.exception?.code).toBe('DAMAGED');
  });

  it('is cleared by the parcel moving on, and refused once it is delivered', () => {
    const failed = apply(apply(requested(1), event('SBX1', 'in_transit')), exception('FAILED_ATTEMPT'));
    const moving = apply(failed, event('SBX1', 'out_for_delivery', '2026-11-20T10:00:00.000Z'));
    expect(moving.shipment?.parcels[0]).not.toHaveProperty('exception');
    const delivered = apply(moving, event('SBX1', 'delivered', '2026-11-20T11:00:00.000Z'));
    expect(applyTrackingEvent(delivered, exception('DAMAGED', '2026-11-20T12:00:00.000Z'), NOW)).toMatchObject({ applied: false });
  });

  it('needs its code: the callback schema requires it, and the domain refuses to go on without', () => {
    expect(() => trackingEventOf({ trackingNumber: 'SBX1', status: 'exception', occurredAt: NOW })).toThrow(/exceptionCode/);
  });
});

describe('refusals', () => {
  it('refuses a tracking number the order does not have', () => {
    expect(() => applyTrackingEvent(requested(), event('SBX9', 'picked_up'), NOW)).toThrow(UnknownShipment);
  });

  it('refuses an order that holds no shipment', () => {
    const routed = transition(transition(placeOrder(orderRequest(), '01JAXZ6M3Q8T9V2W4Y5Z7B8C9D', T0), 'STOCK_LOCKED', T0), 'ROUTED', T0);
    expect(() => applyTrackingEvent(routed, event('SBX1', 'picked_up'), NOW)).toThrow(IllegalTransition);
  });
});
