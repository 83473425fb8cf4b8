/**
 * The vocabulary of delivery-option quotes that orders and their routing record: which option
 * an order chose, and whether its routing honoured it (quote-options.ts builds the quotes).
 */
import { DELIVERY_PREFERENCES, type DeliveryPreference } from '../vocabulary.ts';

/** The options a quote answers, named like the delivery preferences they match. */
export const QUOTE_OPTIONS = DELIVERY_PREFERENCES;
export type QuoteOptionName = DeliveryPreference;

/**
 * Why an order's quote was not honoured: no quote of the order's channel by that id (never made,
 * another channel's, or deleted after expiry: told apart from none, so a channel learns nothing of
 * others' quotes), placed after the quote expired, lines or destination differ from the quote's,
 * or the quoted warehouses, carriers and split no longer survive routing (stock gone, capacity, policy).
 */
export const QUOTE_REFUSALS = ['not-found', 'expired', 'lines-changed', 'destination-changed', 'option-unavailable'] as const;
export type QuoteRefusal = (typeof QUOTE_REFUSALS)[number];

/** What an order's routing says about the quote it referenced. */
export interface QuoteOutcome {
  quoteId: string;
  option: QuoteOptionName;
  honoured: boolean;
  reason?: QuoteRefusal;
}
