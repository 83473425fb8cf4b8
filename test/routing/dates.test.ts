/** localDate: the calendar date of an instant in the routing network's time zone. */
import { describe, it, expect } from 'vitest';
import { localDate } from '../../functions/domain/routing/dates.ts';

describe('localDate', () => {
  const cases: [instant: string, timeZone: string, date: string][] = [
    ['2025-06-01T15:59:59Z', 'Asia/Shanghai', '2025-06-01'],
    ['2025-06-01T16:00:00Z', 'Asia/Shanghai', '2025-06-02'],
    ['2025-06-01T16:00:00Z', 'UTC', '2025-06-01'],
    ['2025-12-31T16:00:00.000Z', 'Asia/Shanghai', '2026-01-01'],
    ['2025-06-01T06:59:59Z', 'America/Los_Angeles', '2025-05-31'], // PDT, UTC-7
    ['2025-06-01T07:00:00Z', 'America/Los_Angeles', '2025-06-01'],
    ['2025-01-01T07:59:59Z', 'America/Los_Angeles', '2024-12-31'], // PST, UTC-8
    ['2025-03-29T23:30:00Z', 'Europe/Berlin', '2025-03-30'], // the night clocks go forward
    ['2025-10-25T22:30:00Z', 'Europe/Berlin', '2025-10-26'], // the night clocks go back
    ['2024-02-29T23:30:00-05:00', 'UTC', '2024-03-01'],
    ['2025-06-01T00:30:00+08:00', 'UTC', '2025-05-31'],
    ['2025-06-01T09:00:00Z', 'Pacific/Kiritimati', '2025-06-01'], // UTC+14
    ['2025-06-01T10:00:00Z', 'Pacific/Kiritimati', '2025-06-02'],
    ['0999-06-01T12:00:00Z', 'UTC', '0999-06-01'],
  ];

  it.each(cases)('%s in %s is %s', (instant, timeZone, date) => {
    expect(localDate(instant, timeZone)).toBe(date);
  });

  it('defaults to UTC', () => {
    expect(localDate('2025-06-01T23:59:59Z')).toBe('2025-06-01');
  });

  it.each([
    ['not a date', 'UTC'],
    ['2025-06-01', 'UTC'], // a date, not an instant
    ['2025-06-01T10:00:00', 'UTC'], // no offset: ambiguous
    ['2025-02-30T10:00:00Z', 'UTC'],
    ['2025-06-01T10:00:00Z', 'Mars/Olympus_Mons'],
  ])('refuses %j in %j with a RangeError', (instant, timeZone) => {
    expect(() => localDate(instant, timeZone)).toThrow(RangeError);
  });
});
