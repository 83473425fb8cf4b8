import type { ShippedParcel } from '../domain/order.ts';
import type { ParcelPlan } from '../domain/routing/decision.ts';

/** A carrier as the workflow sees it. Both calls are idempotent per parcel id. */
export interface CarrierGateway {
  requestShipment(request: { orderId: string; parcelId: string; parcel: ParcelPlan }): Promise<ShippedParcel>;
  cancelShipment(request: { orderId: string; parcelId: string; carrier: string }): Promise<void>;
}
