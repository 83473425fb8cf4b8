/** What a carrier's callback says and what it is answered, for order parcels and return parcels alike. */
import type { OrderStatus } from '../domain/order.ts';
import type { ReturnStatus } from '../domain/returns.ts';
import type { CarrierReport } from '../domain/shipment-tracking.ts';
import type { CarrierEventRecord, ParcelReference } from './ports.ts';

export interface CarrierEvent extends CarrierReport {
  /** The carrier's own id for this event; the same on every redelivery. */
  eventId: string;
}

export interface CarrierEventResult {
  eventId: string;
  /** `applied`: recorded and acted on; `stale`: late or repeated status, recorded, nothing changed; `duplicate`: this event id was seen before. */
  outcome: 'applied' | 'stale' | 'duplicate';
  orderId: string;
  parcelId: string;
  orderStatus: OrderStatus;
  /** Set for a return parcel's event: the return it moved, and the status it is in. */
  returnId?: string;
  returnStatus?: ReturnStatus;
}

/** How a callback is remembered (deduplicated by its event id), whether it moved anything (`applied`) or not (`stale`). */
export function carrierEventRecord(carrierId: string, event: CarrierEvent, parcel: ParcelReference, applied: boolean, now: string): CarrierEventRecord {
  return {
    carrierId,
    eventId: event.eventId,
    ...parcel,
    trackingNumber: event.trackingNumber,
    status: event.status,
    ...(event.exceptionCode ? { exceptionCode: event.exceptionCode } : {}),
    occurredAt: event.occurredAt,
    outcome: applied ? 'applied' : 'stale',
    recordedAt: now,
  };
}
