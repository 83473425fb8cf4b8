/**
 * A carrier's callback about a parcel: find the order by tracking number, apply the event,
 * and record the carrier's event id in the same transaction as the order change, so a
 * redelivered callback is answered as a duplicate and a crash can neither lose the change
 * nor apply it twice.
 */
import { OrderNotFound, UnknownShipment } from '../domain/errors.ts';
import type { OrderStatus } from '../domain/order.ts';
import { applyTrackingEvent, trackingEventOf } from '../domain/shipment-tracking.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';
import { carrierEventRecord, type CarrierEvent, type CarrierEventResult } from './carrier-callback.ts';

export type { CarrierEvent, CarrierEventResult };
import { recordReturnCarrierEvent } from './return-carrier-events.ts';

export async function recordCarrierEvent(deps: Dependencies, carrierId: string, event: CarrierEvent): Promise<CarrierEventResult> {
  const parcel = await deps.tracking.findParcel(carrierId, event.trackingNumber);
  if (!parcel) throw new UnknownShipment(`Carrier ${carrierId} has no shipment of ours with tracking number ${event.trackingNumber}`);
  if (parcel.returnId) return recordReturnCarrierEvent(deps, carrierId, event, { ...parcel, returnId: parcel.returnId });
  // Another callback for this order may get there first: then read again and decide again.
  return retryOnConflict(`Order ${parcel.orderId} kept changing while recording carrier event ${event.eventId}`, async () => {
    const order = await deps.orders.get(parcel.orderId);
    if (!order) throw new OrderNotFound(parcel.orderId);
    const now = deps.now();
    const outcome = applyTrackingEvent(order, trackingEventOf(event), now, { kind: 'carrier', id: carrierId });
    const record = carrierEventRecord(carrierId, event, parcel, outcome.applied, now);
    const answer = (result: CarrierEventResult['outcome'], orderStatus: OrderStatus): CarrierEventResult => ({
      eventId: event.eventId,
      outcome: result,
      ...parcel,
      orderStatus,
    });

    if (!outcome.applied) {
      return answer((await deps.tracking.recordAlone(record)) ? 'stale' : 'duplicate', order.status);
    }
    // Only a status skipped by the carrier makes more than one write; the earlier ones are
    // transitions the event implies anyway, so they need no record of the event.
    let before = order;
    for (const after of outcome.writes.slice(0, -1)) {
      if (!(await deps.orders.commit({ order: { before, after } })).ok) return CONFLICT;
      before = after;
    }
    const last = outcome.writes.at(-1)!;
    const committed = await deps.orders.commit({ order: { before, after: last }, carrierEvent: record });
    if (committed.ok) return answer('applied', last.status);
    return committed.reason === 'Duplicate' ? answer('duplicate', before.status) : CONFLICT;
  });
}
