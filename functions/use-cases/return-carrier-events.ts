/**
 * A carrier's callback about a return parcel (its tracking number leads to a return): the scan
 * moves the return IN_TRANSIT, then RECEIVED, with the carrier's event id recorded in the same
 * transaction, so a redelivered callback is a duplicate and a late or repeated scan is stale.
 */
import { ReturnNotFound } from '../domain/errors.ts';
import { applyReturnScan } from '../domain/returns.ts';
import { carrierEventRecord, type CarrierEvent, type CarrierEventResult } from './carrier-callback.ts';
import type { Dependencies } from './dependencies.ts';
import type { ParcelReference } from './ports.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

export async function recordReturnCarrierEvent(
  deps: Pick<Dependencies, 'returns' | 'tracking' | 'now'>,
  carrierId: string,
  event: CarrierEvent,
  parcel: ParcelReference & { returnId: string },
): Promise<CarrierEventResult> {
  return retryOnConflict(`Return ${parcel.returnId} kept changing while recording carrier event ${event.eventId}`, async () => {
    const current = await deps.returns.getOfOrder(parcel.orderId, parcel.returnId);
    if (!current) throw new ReturnNotFound(parcel.returnId);
    const now = deps.now();
    const outcome = applyReturnScan(current, event, now, { kind: 'carrier', id: carrierId });
    const record = carrierEventRecord(carrierId, event, parcel, outcome.applied, now);
    // The order is DELIVERED (only delivered orders have returns) and stays so: a return never reopens it.
    const answer = (result: CarrierEventResult['outcome'], returnStatus: CarrierEventResult['returnStatus']): CarrierEventResult => ({
      eventId: event.eventId,
      outcome: result,
      orderId: parcel.orderId,
      parcelId: parcel.parcelId,
      orderStatus: 'DELIVERED',
      returnId: parcel.returnId,
      returnStatus,
    });
    if (!outcome.applied) return answer((await deps.tracking.recordAlone(record)) ? 'stale' : 'duplicate', current.status);
    const committed = await deps.returns.commit({ before: current, after: outcome.after, carrierEvent: record });
    if (committed.ok) return answer('applied', outcome.after.status);
    return committed.reason === 'Duplicate' ? answer('duplicate', current.status) : CONFLICT;
  });
}
