/**
 * Personal data a partner may be entitled to on top of the bus event, which carries none
 * (phone masked, address reduced to country/region/city). Pure: no I/O.
 */
import type { OrderEvent } from './events.ts';
import type { Order } from './order.ts';

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
