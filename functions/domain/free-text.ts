/**
 * Free text is a leak until proven otherwise: what a channel typed may hold a name, a phone
 * number or an ID number whatever the field is called. These checks decide which text may
 * leave the order (onto the bus) and which text is refused at the door (attribution). Pure.
 */

/**
 * A region or city that may be published as it was typed: an ISO 3166-2 subdivision code
 * (`CN-SH`, `GB-ENG`), or a place name of letters (any script) and the spaces, apostrophes,
 * dots and hyphens of names such as "Saint-Étienne" or "Val d'Oise", at most 60 characters
 * and no digit anywhere. A phone number, an ID number, a house number or a postcode typed
 * into the field has digits; a name typed into it ("Li Wei") cannot be told from a place and
 * passes, which is why the street, the name and the phone have fields of their own.
 */
export const PUBLISHABLE_PLACE = /^(?:[A-Z]{2}-[A-Z0-9]{1,3}|\p{L}[\p{L}\p{M}' .-]{0,59})$/u;

export const isPublishablePlace = (value: string): boolean => PUBLISHABLE_PLACE.test(value);

/**
 * The channel's own order id, which events carry so the channel can match them: a key, not
 * prose. No `@` (an e-mail address) and no spaces (a name or an address).
 */
export const CHANNEL_ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const CHANNEL_ORDER_ID_RULE = 'Use 1-64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

/**
 * What personal data looks like in a short value, each pattern with why it is there:
 * - an e-mail address: something, `@`, a dotted domain;
 * - a run of seven or more digits, allowing the spaces, dots, dashes, slashes and brackets
 *   people write numbers with: phone numbers (13800138000, +44 20 7946 0958), national ID
 *   numbers (the 18-character Chinese resident ID, 110101199003071234, also when its check
 *   character is X; US SSNs, 123-45-6789), bank and card numbers. Campaign names and click
 *   ids rarely need seven digits in a row; dates do, which is why timestamps have a field of
 *   their own.
 */
const PERSONAL_DATA_PATTERNS = [
  { kind: 'an e-mail address', pattern: /[^\s@]+@[^\s@]+\.[^\s@]+/ },
  { kind: 'a phone or ID number', pattern: /\d(?:[\s().\/-]{0,2}\d){6,}/ },
] as const;

/** What `value` looks like if it looks like personal data, else undefined. */
export function personalDataIn(value: string): string | undefined {
  return PERSONAL_DATA_PATTERNS.find(({ pattern }) => pattern.test(value))?.kind;
}

/** `yyyyMMdd` from 2000 to 2099, as the providers' numbers embed the day they were made. */
const DAY = String.raw`20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])`;

/**
 * Payment providers' own transaction numbers, all digits, which the seven-digit rule above would
 * refuse: each format is the provider's published layout, so a merchant's number built from a
 * phone or an ID number does not pass for one by its length alone.
 * - Alipay `trade_no`: 28 digits, the day, then `11`, `21` or `22` and `001`, then 15 digits.
 * - WeChat Pay `transaction_id`: 28 digits, `4200`, 6 digits, the day, 10 digits.
 * - WeChat Pay `refund_id`: 29 digits, `50`, 8 digits, the day, 11 digits.
 */
export const PROVIDER_TRANSACTION_NUMBERS = [
  { provider: 'Alipay trade_no', pattern: new RegExp(`^${DAY}[12][12]001\\d{15}$`) },
  { provider: 'WeChat Pay transaction_id', pattern: new RegExp(`^4200\\d{6}${DAY}\\d{10}$`) },
  { provider: 'WeChat Pay refund_id', pattern: new RegExp(`^50\\d{8}${DAY}\\d{11}$`) },
] as const;

/** What a payment provider's name or id looks like if it looks like personal data, else undefined. */
export function personalDataInPaymentIdentifier(value: string): string | undefined {
  return PROVIDER_TRANSACTION_NUMBERS.some(({ pattern }) => pattern.test(value)) ? undefined : personalDataIn(value);
}
