import { parcelWarehouses, type Reservation } from '../domain/stock.ts';
import type { OrderChange } from './ports.ts';

/**
 * The capacity counts to give back with a reservation's allocations, so a
 * cancelled or compensated parcel frees its warehouse's slot for the day.
 */
export function capacityRelease(reservation: Reservation): NonNullable<OrderChange['capacity']> {
  if (reservation.state !== 'ALLOCATED') return [];
  return parcelWarehouses(reservation.allocations).map((warehouseId) => ({ warehouseId, day: reservation.capacityDay, parcels: -1 }));
}
