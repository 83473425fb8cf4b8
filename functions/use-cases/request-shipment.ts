/** The RequestShipment step and its compensation, CancelShipment (the rules every step keeps: fulfilment-step.ts). */
import { DomainError } from '../domain/errors.ts';
import { SHIPMENT_STATUSES, hadHoldWindow, isFinal, startHoldWindow, transition, type ShippedParcel } from '../domain/order.ts';
import { awaitsPayment } from '../domain/payment.ts';
import type { StepDependencies } from './dependencies.ts';
import { isPast, load, markOnly, requireOpen, step, type CompensationResult, type StepResult } from './fulfilment-step.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

export interface ShipmentResult extends StepResult {
  parcels: ShippedParcel[];
}

const parcelId = (orderId: string, index: number) => `${orderId}-${index + 1}`;

/** Asks each parcel's carrier for a shipment, then records them; a cancel or a compensation that won the race stops here. */
export async function requestShipment(deps: StepDependencies, orderId: string): Promise<ShipmentResult> {
  return retryOnConflict(`Order ${orderId} kept changing while requesting the shipment`, async () => {
    const order = await load(deps, orderId);
    if (isPast(order, 'SHIPMENT_REQUESTED') && order.shipment) return { orderId, status: order.status, ...order.shipment };
    if (awaitsPayment(order)) return { orderId, status: order.status, parcels: [] };
    requireOpen(order, 'ROUTED', 'SHIPMENT_REQUESTED');
    // Held by an operator: the execution ends here, the order stays ROUTED, and the release re-drives it (ADR 0004).
    if (order.hold) return { orderId, status: order.status, parcels: [] };
    // The channel's hold window (ADR 0005): held here once, before any carrier is asked; its timer releases it.
    const { holdSeconds } = deps.channels(order.channel);
    if (holdSeconds > 0 && !hadHoldWindow(order)) {
      const after = startHoldWindow(order, deps.now(), holdSeconds);
      return (await deps.orders.commit({ order: { before: order, after } })).ok ? { orderId, status: after.status, parcels: [] } : CONFLICT;
    }
    if (!order.route) throw new DomainError(`Order ${orderId} is ROUTED without a route`);
    const parcels = await Promise.all(
      order.route.parcels.map((parcel, i) => deps.carrier.requestShipment({ orderId, parcelId: parcelId(orderId, i), parcel })),
    );
    const after = transition(order, 'SHIPMENT_REQUESTED', deps.now(), { shipment: { parcels } }, undefined, step('RequestShipment'));
    // No check of the reservation: the order's guard implies it is ALLOCATED (ADR 0001, invariant 12).
    const outcome = await deps.orders.commit({
      order: { before: order, after },
      // Carrier callbacks name the tracking number only; these lead them to the order.
      tracking: parcels.map((parcel) => ({
        carrierId: parcel.carrier,
        trackingNumber: parcel.trackingNumber,
        parcel: { orderId, parcelId: parcel.parcelId },
      })),
    });
    return outcome.ok ? { orderId, status: after.status, parcels } : CONFLICT;
  });
}

/**
 * Cancels the carrier requests of a routed order. The order is marked as closing first, so
 * a duplicate execution can no longer record the shipment it requested (its commit is
 * guarded on the order as it read it): a carrier request is never cancelled under a live order.
 */
export async function cancelShipment(deps: StepDependencies, orderId: string): Promise<CompensationResult> {
  return retryOnConflict(`Order ${orderId} kept changing while cancelling its shipment`, async () => {
    const order = await load(deps, orderId);
    if (SHIPMENT_STATUSES.includes(order.status) || !order.route) return { orderId, undone: false };
    // A cancelled order may still have a carrier request its execution could not record.
    if (!isFinal(order.status) && !(await markOnly(deps, order))) return CONFLICT;
    await Promise.all(
      order.route.parcels.map((parcel, i) => deps.carrier.cancelShipment({ orderId, parcelId: parcelId(orderId, i), carrier: parcel.carrier })),
    );
    return { orderId, undone: true };
  });
}
