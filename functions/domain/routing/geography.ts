/**
 * Where things are for routing: place names compared case-insensitively, the destination a
 * policy knows for an address, great-circle distances and the zone a distance falls in.
 */
import type { RoutingPolicy } from './routing-policy.ts';
import type { RoutingInput } from './decision.ts';

const EARTH_RADIUS_KM = 6371;

// How place names are compared everywhere, rules included.
export const foldPlaceName = (name: string) => name.trim().toLowerCase();
export const samePlace = (a: string, b: string) => foldPlaceName(a) === foldPlaceName(b);

export function listsPlace(regions: readonly string[], region: string): boolean {
  return regions.some((r) => samePlace(r, region));
}

export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function findDestination(policy: RoutingPolicy, shipTo: RoutingInput['shipTo']) {
  const inCountry = policy.destinations.filter((d) => samePlace(d.country, shipTo.country));
  return (
    inCountry.find((d) => d.city !== undefined && samePlace(d.city, shipTo.city) && samePlace(d.region ?? '', shipTo.region)) ??
    inCountry.find((d) => d.city === undefined && d.region !== undefined && samePlace(d.region, shipTo.region)) ??
    inCountry.find((d) => d.region === undefined)
  );
}

export function zoneOf(policy: RoutingPolicy, distanceKm: number): string {
  // The schema guarantees the last zone is unbounded.
  const zone = policy.zones.find((z) => z.maxKm === undefined || distanceKm <= z.maxKm) ?? policy.zones.at(-1);
  return zone?.id ?? '';
}
