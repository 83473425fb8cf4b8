/**
 * Where an order rests (docs/decisions/0006-sparse-status-indexes.md). Pure: no I/O.
 *
 * The in-flight statuses (deadlines.ts) last under a second each on the happy path, and the
 * reconciler's index already lists the orders that stay in them too long. Every other status is
 * one where the order rests or someone acts (the customer pays, a carrier reports, an operator
 * looks): only there does it carry the keys of the list indexes by status and by change time,
 * which saves two index writes per step in flight. Derived from the in-flight set, so the two
 * can never disagree.
 */
import { IN_FLIGHT_STATUSES, isInFlight } from './deadlines.ts';
import { ORDER_STATUSES, type Order, type OrderStatus } from './order.ts';

/** Statuses an order rests in: all but the in-flight ones. */
export const RESTING_STATUSES = ORDER_STATUSES.filter((status) => !isInFlight(status)) as readonly RestingStatus[];
export type RestingStatus = Exclude<OrderStatus, (typeof IN_FLIGHT_STATUSES)[number]>;

export function isRestingStatus(status: OrderStatus): status is RestingStatus {
  return !isInFlight(status);
}

/**
 * Whether the order is at rest: in a resting status, or held in flight (it waits for an operator or
 * for its hold window's end, and the console must see the hold).
 */
export function isAtRest(order: Pick<Order, 'status' | 'hold'>): boolean {
  return isRestingStatus(order.status) || order.hold !== undefined;
}

/** Why a channel's listing by status refuses an in-flight status: what the channel can ask instead. */
export const IN_FLIGHT_LISTING_HINT =
  `Orders in flight (${IN_FLIGHT_STATUSES.join(', ')}) are not listed by status: a healthy order passes through them in seconds. ` +
  'List without status: every order is there, newest first, with its status (and its hold, when held).';

/** The same refusal for an operator's listing of a channel, who can also ask for the late ones. */
export const IN_FLIGHT_LISTING_HINT_FOR_OPERATORS =
  `${IN_FLIGHT_LISTING_HINT} Orders in flight past their deadline: overdue=true; held ones, and every order that came to rest: updatedSince.`;
