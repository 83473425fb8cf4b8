/**
 * Erasing a customer's personal data from an order: a recorded change (a new version and
 * history entry, hence its own event), decided here on the plain order, so it holds however
 * the store encodes personal fields. Pure: no I/O.
 */
import { OrderNotAmendable } from './errors.ts';
import { isPublishablePlace } from './free-text.ts';
import { cancellationCodeOf, ENDED_STATUSES, PERSONAL_FREE_TEXT_FIELDS, type CancellationReason, type Order, type OrderStatus, type Transition } from './order.ts';


/** What an erased text field holds. */
export const ERASED = '';

/**
 * An order can be erased once it has ended, so that no step still needs the name, phone and street
 * on the parcel; an order in flight is erased once it ends.
 */
export const isErasable = (order: Pick<Order, 'status'>): boolean => (ENDED_STATUSES as readonly OrderStatus[]).includes(order.status);

/**
 * The order without the customer's personal data: name, phone, street and postal code, the
 * customer id (a pseudonym the channel can tie back to a person, and the key that finds the
 * order by customer), attribution, the cancellation note and any free text a history entry
 * kept. Country stays, and region and city stay when they are places (what events may
 * carry); the lines, totals, route and shipment are the shop's records. Erasing an erased
 * order changes nothing; an order in flight throws OrderNotAmendable.
 */
export function erasePersonalData(order: Order, now: string): Order {
  if (order.personalDataErasedAt) return order;
  if (!isErasable(order)) throw new OrderNotAmendable(order.status, 'personal data');
  const kept: Order = { ...order };
  for (const field of PERSONAL_FREE_TEXT_FIELDS) delete kept[field];
  const cancellationReason = cancellationCodeOf(order);
  const place = (value: string) => (isPublishablePlace(value) ? value : ERASED);
  const entry: Transition = { from: order.status, to: order.status, at: now, amendment: 'PERSONAL_DATA_ERASED' };
  return {
    ...kept,
    customer: { ...order.customer, id: ERASED },
    maskedPhone: ERASED,
    shipTo: {
      name: ERASED,
      phone: ERASED,
      country: order.shipTo.country,
      region: place(order.shipTo.region),
      city: place(order.shipTo.city),
      postalCode: ERASED,
      line1: ERASED,
    },
    ...(cancellationReason ? { cancellationReason } : {}),
    history: [...order.history.map((past) => withCodedReason(past, cancellationReason)), entry],
    personalDataErasedAt: now,
    version: order.version + 1,
    updatedAt: now,
  };
}

/** A cancellation recorded before reasons were codes holds the channel's words: the code replaces them. */
function withCodedReason(entry: Transition, code: CancellationReason | undefined): Transition {
  return entry.to === 'CANCELLED' && entry.from !== 'CANCELLED' && entry.reason ? { ...entry, reason: code ?? 'OTHER' } : entry;
}
