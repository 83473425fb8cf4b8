import type { RoutePlan, Shipment } from '../domain/order.ts';

/** A carrier as the workflow sees it. Both calls are idempotent per order id. */
export interface CarrierGateway {
  requestShipment(request: { orderId: string; plan: RoutePlan }): Promise<Shipment>;
  cancelShipment(request: { orderId: string; carrier: string }): Promise<void>;
}
