import { parcelWarehouses, type Reservation } from '../domain/stock.ts';
import type { OrderChange, StoredReservation } from './ports.ts';
import { releaseReservationMoves } from '../domain/stock.ts';

/**
 * The capacity counts to give back with a reservation's allocations, so a
 * cancelled or compensated parcel frees its warehouse's slot for the day.
 */
export function capacityRelease(reservation: Reservation): NonNullable<OrderChange['capacity']> {
  if (reservation.state !== 'ALLOCATED') return [];
  return parcelWarehouses(reservation.allocations).map((warehouseId) => ({ warehouseId, day: reservation.capacityDay, parcels: -1 }));
}

/** The parts of a commit that give back everything `reservation` holds (stock and capacity), or nothing without one. */
export function givingBack(reservation: StoredReservation | undefined): Pick<OrderChange, 'reservation' | 'stock' | 'capacity'> {
  if (!reservation) return {};
  return { reservation: { delete: reservation.revision }, stock: releaseReservationMoves(reservation), capacity: capacityRelease(reservation) };
}
