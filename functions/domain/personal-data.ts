/**
 * Personal data a partner may be entitled to on top of the bus event, which carries none
 * (phone masked, address reduced to country/region/city). Pure: no I/O.
 */
import type { OrderEvent } from './events.ts';
import type { Order } from './order.ts';

/**
 * Paths in the order whose values are personal and kept sealed (encrypted, bound to the order
 * and the path) wherever the order is stored or passed between functions. A new personal
 * field is one more entry here; the cipher, the store and the readers follow.
 */
export const SEALED_PATHS = ['shipTo.name', 'shipTo.phone', 'shipTo.line1', 'shipTo.postalCode', 'cancellationNote'] as const;
export type SealedPath = (typeof SEALED_PATHS)[number];

/** The value at `path`, if the order has a string there. */
export function valueAt(order: object, path: SealedPath): string | undefined {
  const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], order);
  return typeof value === 'string' ? value : undefined;
}

/** A copy of the order with `value` at `path` (objects on the way copied, not shared). */
export function withValueAt<Shape extends object>(order: Shape, path: SealedPath, value: string): Shape {
  const [key, ...rest] = path.split('.') as [string, ...string[]];
  const node = (order as Record<string, unknown>)[key];
  if (rest.length === 0) return { ...order, [key]: value };
  return { ...order, [key]: withValueAt((node ?? {}) as object, rest.join('.') as SealedPath, value) };
}

/** Fields a partner can be entitled to, as paths in the order. */
export const PERSONAL_DATA_FIELDS = ['shipTo.name', 'shipTo.phone', 'shipTo.line1', 'shipTo.postalCode', 'customer.id'] as const;
export type PersonalDataField = (typeof PERSONAL_DATA_FIELDS)[number];


/** Named levels, so a partners file can say what a partner does rather than list fields. */
export const PERSONAL_DATA_LEVELS = {
  /** The bus event as is. */
  none: [],
  /** What a warehouse prints on a parcel and a driver needs to deliver it. */
  'shipping-label': ['shipTo.name', 'shipTo.phone', 'shipTo.line1', 'shipTo.postalCode'],
} as const satisfies Record<string, readonly PersonalDataField[]>;
export type PersonalDataLevel = keyof typeof PERSONAL_DATA_LEVELS;

/** Top-level order attributes holding `fields`: what the enrichment reads, and nothing more. */
export function orderAttributesFor(fields: readonly PersonalDataField[]): string[] {
  return [...new Set(fields.map((field) => field.split('.')[0]!))];
}

/**
 * The event's detail with the entitled fields of the order added: `data.shipTo.<field>`
 * (the full phone replacing the masked one) and `data.customerId`. Fields not listed stay out.
 */
export function withPersonalData<Event extends OrderEvent>(
  detail: Event,
  order: Pick<Order, 'shipTo' | 'customer'>,
  fields: readonly PersonalDataField[],
): Event & { data: { customerId?: string } } {
  const shipTo: Record<string, string> = { ...detail.data.shipTo };
  let customerId: string | undefined;
  for (const field of fields) {
    if (field === 'customer.id') customerId = order.customer.id;
    else {
      const key = field.slice('shipTo.'.length) as keyof Order['shipTo'];
      shipTo[key] = order.shipTo[key];
    }
  }
  // Spreading a member of the event union loses which member it is; the shape is unchanged but for shipTo and customerId.
  return {
    ...detail,
    data: { ...detail.data, shipTo: shipTo as OrderEvent['data']['shipTo'], ...(customerId ? { customerId } : {}) },
  } as Event & { data: { customerId?: string } };
}
