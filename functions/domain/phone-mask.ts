/**
 * The phone number as events and support may show it. Its own module because the order sets it
 * whenever the phone changes, and personal-data.ts, which describes the order, imports the order.
 */

/** Keeps the last four digits, so support can match a number the customer reads out. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').length;
  let seen = 0;
  return phone.replace(/\d/g, (digit) => (++seen > digits - 4 ? digit : '*'));
}
