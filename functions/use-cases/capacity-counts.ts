import { parcelWarehouses, type Reservation } from '../domain/stock.ts';
import type { TransactItem } from '../store/order-store.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * The capacity counts to give back with a reservation's allocations, so a
 * cancelled or compensated parcel frees its warehouse's slot for the day.
 */
export function capacityReleaseItems(deps: Dependencies, reservation: Reservation): TransactItem[] {
  if (reservation.state !== 'ALLOCATED') return [];
  return parcelWarehouses(reservation.allocations).map((warehouseId) => deps.capacity.countItem(warehouseId, reservation.capacityDay, -1));
}
