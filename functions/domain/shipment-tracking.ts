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
 *
 * A report that moves the order is that transition's event. One that moves a parcel of a
 * several-parcel order without moving the order (the second parcel picked up, the first one
 * delivered) is an amendment of its own, `PARCEL_SHIPPED` or `PARCEL_DELIVERED`, so partners
 * hear of every parcel; the statuses in between (in transit, out for delivery) are recorded
 * on the parcel without an event. A delivery exception (a failed attempt, damage, loss, a
 * refusal, an address problem: a closed set of codes) is a `DELIVERY_EXCEPTION` amendment that
 * keeps the parcel's status; the parcel's next forward status clears it.
 */
import { IllegalTransition, UnknownShipment } from './errors.ts';
import { audit, transition, type Actor, type Amendment, type Order, type OrderStatus, type Shipment, type ShippedParcel } from './order.ts';
import { PARCEL_STATUSES, type DeliveryExceptionCode, type ParcelStatus } from './vocabulary.ts';

/** The status a carrier reports when something went wrong with a parcel, with an exception code. */
export const EXCEPTION_STATUS = 'exception';

export type TrackingEvent = {
  trackingNumber: string;
  /** When the carrier saw it happen (ISO 8601). */
  occurredAt: string;
} & ({ status: ParcelStatus } | { status: typeof EXCEPTION_STATUS; exceptionCode: DeliveryExceptionCode });

/** A carrier's report as its callback carries it: `exceptionCode` with status `exception`, and only then. */
export interface CarrierReport {
  trackingNumber: string;
  occurredAt: string;
  status: ParcelStatus | typeof EXCEPTION_STATUS;
  exceptionCode?: DeliveryExceptionCode;
}

export function trackingEventOf({ trackingNumber, occurredAt, status, exceptionCode }: CarrierReport): TrackingEvent {
  if (status !== EXCEPTION_STATUS) return { trackingNumber, occurredAt, status };
  // The callback's schema requires the code with this status; a caller that skipped it is a bug.
  if (!exceptionCode) throw new TypeError('A delivery exception needs its exceptionCode');
  return { trackingNumber, occurredAt, status, exceptionCode };
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

/** A recorded change that keeps the order's status, about one parcel. */
function parcelAmendment(
  order: Order,
  amendment: Extract<Amendment, 'PARCEL_SHIPPED' | 'PARCEL_DELIVERED' | 'DELIVERY_EXCEPTION'>,
  parcelId: string,
  shipment: Shipment,
  now: string,
  reason: string,
  by?: Actor,
): Order {
  return {
    ...order,
    shipment,
    version: order.version + 1,
    updatedAt: now,
    history: [...order.history, { from: order.status, to: order.status, at: now, amendment, parcelId, reason, ...audit(by, []) }],
  };
}

export function applyTrackingEvent(order: Order, event: TrackingEvent, now: string, by?: Actor): TrackingOutcome {
  if (!TRACKED_STATUSES.includes(order.status) || !order.shipment) throw new IllegalTransition(order.status, 'SHIPPED');
  const { parcels, carrierEvents = 0 } = order.shipment;
  const index = parcels.findIndex((parcel) => parcel.trackingNumber === event.trackingNumber);
  const parcel = parcels[index];
  if (!parcel) throw new UnknownShipment(`Order ${order.orderId} has no parcel with tracking number ${event.trackingNumber}`);
  // Counted on every recorded event, so a write that changes only a parcel (same status and
  // version) is still guarded against a concurrent callback for another parcel.
  const shipmentWith = (change: Partial<ShippedParcel>): Shipment => ({
    parcels: parcels.map((p, i) => {
      if (i !== index) return p;
      const { exception: _cleared, ...moved } = p;
      return { ...(change.status ? moved : p), ...change };
    }),
    carrierEvents: carrierEvents + 1,
  });

  if (event.status === EXCEPTION_STATUS) {
    const exception = { code: event.exceptionCode, at: event.occurredAt };
    if (parcel.status === 'delivered' || (parcel.exception && parcel.exception.at >= exception.at)) {
      return { applied: false, parcelId: parcel.parcelId, reason: `Parcel ${parcel.parcelId} is past this exception` };
    }
    const reason = `${parcel.parcelId} exception ${exception.code}`;
    return {
      applied: true,
      parcelId: parcel.parcelId,
      writes: [parcelAmendment(order, 'DELIVERY_EXCEPTION', parcel.parcelId, shipmentWith({ exception }), now, reason, by)],
    };
  }

  if (rank(event.status) <= rank(parcel.status)) {
    return { applied: false, parcelId: parcel.parcelId, reason: `Parcel ${parcel.parcelId} is already ${parcel.status}` };
  }
  const moved = (status: ParcelStatus) => shipmentWith({ status, statusAt: event.occurredAt });
  const shipment = moved(event.status);
  const target = orderStatusOfParcels(shipment.parcels);
  const reason = `${parcel.parcelId} ${event.status}`;

  if (target === order.status) {
    const amendment = event.status === 'delivered' ? 'PARCEL_DELIVERED' : parcel.status === undefined ? 'PARCEL_SHIPPED' : undefined;
    return {
      applied: true,
      parcelId: parcel.parcelId,
      writes: [amendment ? parcelAmendment(order, amendment, parcel.parcelId, shipment, now, reason, by) : { ...order, shipment, updatedAt: now }],
    };
  }
  if (order.status === 'SHIPMENT_REQUESTED' && target === 'DELIVERED') {
    // Delivered before any pick-up was reported (a lost callback): the lifecycle goes one status
    // at a time so consumers see OrderShipped too. The parcel was necessarily picked up, which the
    // first write records, so a crash between the writes leaves a state the retry moves on from.
    const shipped = transition(order, 'SHIPPED', now, { shipment: moved('picked_up') }, reason, by);
    return { applied: true, parcelId: parcel.parcelId, writes: [shipped, transition(shipped, 'DELIVERED', now, { shipment }, reason, by)] };
  }
  return { applied: true, parcelId: parcel.parcelId, writes: [transition(order, target, now, { shipment }, reason, by)] };
}
