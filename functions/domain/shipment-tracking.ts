/**
 * What carriers report about parcels, applied to the order. Pure: no I/O, no AWS, no clock.
 *
 * A parcel's status only moves forward (picked up, in transit, out for delivery, delivered):
 * carriers deliver callbacks late and out of order, so an event that would not move its
 * parcel forward (a late `in_transit` after `delivered`, or a status repeated under another
 * event id) is stale: accepted, recorded, and it changes nothing.
 *
 * The order follows its parcels: SHIPPED once the first parcel is in a carrier's hands
 * (the customer's goods are on their way), DELIVERED once every parcel is delivered.
 */
import { IllegalTransition, UnknownShipment } from './errors.ts';
import { transition, type Actor, type Order, type OrderStatus, type ShippedParcel } from './order.ts';
import { PARCEL_STATUSES, type ParcelStatus } from './vocabulary.ts';

export interface TrackingEvent {
  trackingNumber: string;
  status: ParcelStatus;
  /** When the carrier saw it happen (ISO 8601). */
  occurredAt: string;
}

export type TrackingOutcome =
  /**
   * `writes` are the order's states to save, in order, each guarded on the one before:
   * one per lifecycle transition, so each becomes its own event, or one that records
   * the parcel's status when the order's status stays.
   */
  | { applied: true; parcelId: string; writes: [Order, ...Order[]] }
  | { applied: false; parcelId: string; reason: string };

type TrackedStatus = Extract<OrderStatus, 'SHIPMENT_REQUESTED' | 'SHIPPED' | 'DELIVERED'>;
const TRACKED_STATUSES: readonly OrderStatus[] = ['SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'] satisfies TrackedStatus[];

/** 0 for a parcel the carrier has reported nothing about yet. */
const rank = (status: ParcelStatus | undefined) => (status ? PARCEL_STATUSES.indexOf(status) + 1 : 0);

/** The order's status its parcels call for. */
export function orderStatusOfParcels(parcels: readonly ShippedParcel[]): TrackedStatus {
  if (parcels.every((parcel) => parcel.status === 'delivered')) return 'DELIVERED';
  if (parcels.some((parcel) => parcel.status !== undefined)) return 'SHIPPED';
  return 'SHIPMENT_REQUESTED';
}

export function applyTrackingEvent(order: Order, event: TrackingEvent, now: string, by?: Actor): TrackingOutcome {
  if (!TRACKED_STATUSES.includes(order.status) || !order.shipment) throw new IllegalTransition(order.status, 'SHIPPED');
  const { parcels, carrierEvents = 0 } = order.shipment;
  const index = parcels.findIndex((parcel) => parcel.trackingNumber === event.trackingNumber);
  const parcel = parcels[index];
  if (!parcel) throw new UnknownShipment(`Order ${order.orderId} has no parcel with tracking number ${event.trackingNumber}`);
  if (rank(event.status) <= rank(parcel.status)) {
    return { applied: false, parcelId: parcel.parcelId, reason: `Parcel ${parcel.parcelId} is already ${parcel.status}` };
  }

  // Counted on every recorded event, so a write that changes only a parcel (same status and
  // version) is still guarded against a concurrent callback for another parcel.
  const shipmentWith = (status: ParcelStatus) => ({
    parcels: parcels.map((p, i) => (i === index ? { ...p, status, statusAt: event.occurredAt } : p)),
    carrierEvents: carrierEvents + 1,
  });
  const shipment = shipmentWith(event.status);
  const target = orderStatusOfParcels(shipment.parcels);
  const reason = `${parcel.parcelId} ${event.status}`;

  if (target === order.status) return { applied: true, parcelId: parcel.parcelId, writes: [{ ...order, shipment, updatedAt: now }] };
  if (order.status === 'SHIPMENT_REQUESTED' && target === 'DELIVERED') {
    // Delivered before any pick-up was reported (a lost callback): the lifecycle goes one status
    // at a time so consumers see OrderShipped too. The parcel was necessarily picked up, which the
    // first write records, so a crash between the writes leaves a state the retry moves on from.
    const shipped = transition(order, 'SHIPPED', now, { shipment: shipmentWith('picked_up') }, reason, by);
    return { applied: true, parcelId: parcel.parcelId, writes: [shipped, transition(shipped, 'DELIVERED', now, { shipment }, reason, by)] };
  }
  return { applied: true, parcelId: parcel.parcelId, writes: [transition(order, target, now, { shipment }, reason, by)] };
}
