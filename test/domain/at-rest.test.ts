/** Where an order rests (ADR 0006): the complement of the in-flight statuses, and held orders. */
import { describe, expect, it } from 'vitest';
import { isAtRest, isRestingStatus, RESTING_STATUSES } from '../../functions/domain/at-rest.ts';
import { IN_FLIGHT_STATUSES } from '../../functions/domain/deadlines.ts';
import { ORDER_STATUSES } from '../../functions/domain/order.ts';

describe('statuses at rest', () => {
  it('are every status but the in-flight ones, so the two sets never disagree', () => {
    // Spelled out: a status added to the lifecycle must be placed on one side on purpose.
    expect([...RESTING_STATUSES].sort()).toEqual(['CANCELLED', 'DELIVERED', 'FAILED', 'PAYMENT_PENDING', 'REJECTED', 'SHIPMENT_REQUESTED', 'SHIPPED']);
    expect([...IN_FLIGHT_STATUSES].sort()).toEqual(['PLACED', 'ROUTED', 'STOCK_LOCKED']);
    expect([...RESTING_STATUSES, ...IN_FLIGHT_STATUSES].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('count an order held in flight as at rest, and one in flight otherwise as not', () => {
    for (const status of IN_FLIGHT_STATUSES) {
      expect(isRestingStatus(status)).toBe(false);
      expect(isAtRest({ status })).toBe(false);
      expect(isAtRest({ status, hold: { by: { kind: 'operator', id: 'ops' }, at: '2026-12-04T10:00:00Z' } })).toBe(true);
    }
    for (const status of RESTING_STATUSES) expect(isAtRest({ status })).toBe(true);
  });
});
