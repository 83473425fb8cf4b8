/**
 * Calendar dates in the routing network's time zone. The planner counts promised
 * dates in calendar days from "today", which is the date where the warehouses are,
 * not the UTC date: at 01:00 in Shanghai it is still yesterday in UTC.
 */

// An ISO 8601 instant: date, time and an explicit offset (Z or ±hh:mm), as Date#toISOString gives.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether `timeZone` is a time zone Intl knows (an IANA name such as `Asia/Shanghai`, or `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() !== timeZone || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date (YYYY-MM-DD) of `isoInstant` in `timeZone`: the `today` the
 * planner counts promised dates from. `isoInstant` needs an offset (e.g.
 * `2025-06-01T16:30:00.000Z`); throws RangeError on a malformed instant or an
 * unknown time zone.
 */
export function localDate(isoInstant: string, timeZone = 'UTC'): string {
  const millis = ISO_INSTANT.test(isoInstant) && realDay(isoInstant) ? Date.parse(isoInstant) : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new RangeError(`Expected an ISO instant with an offset (e.g. 2025-06-01T16:30:00Z), got ${isoInstant}`);
  }
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown time zone ${timeZone}`);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(millis));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // Years before 1000 come without leading zeros.
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

// Date.parse rolls 2025-02-30 over to March instead of refusing it.
function realDay(isoInstant: string): boolean {
  const [year, month, day] = isoInstant.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

// Milliseconds since the epoch at the start of an ISO date (UTC); calendar days, no business calendar.
export function dayNumber(isoDate: string): number {
  const start = /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? Date.parse(`${isoDate}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(start)) throw new RangeError(`today must be an ISO date (YYYY-MM-DD), got ${isoDate}`);
  return start;
}

export function addDays(isoDate: string, days: number): string {
  return new Date(dayNumber(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}
