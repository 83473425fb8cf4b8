/**
 * The order lifecycle, without mocks: the status graph is compared against an
 * explicit table written here, not against the source's own table.
 */
import { describe, it, expect } from 'vitest';
import { routePlan } from '../fixtures/routes.ts';
import fc from 'fast-check';
import { IllegalTransition, DomainError } from '../../functions/domain/errors.ts';
import {
  CANCELLABLE_STATUSES,
  ORDER_STATUSES,
  SHIPMENT_STATUSES,
  canTransition,
  isFinal,
  placeOrder,
  totalsOf,
  transition,
  type Order,
  type OrderRequest,
  type OrderStatus,
} from '../../functions/domain/order.ts';

const T0 = '2025-03-01T10:00:00.000Z';
const T1 = '2025-03-01T10:05:00.000Z';

function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    channel: 'web-shop',
    channelOrderId: 'WEB-1',
    currency: 'EUR',
    customer: { id: 'cust-1', tier: 'vip' },
    lines: [
      { sku: 'TEA-001', quantity: 2, unitPrice: 1299 },
      { sku: 'CUP-007', quantity: 3, unitPrice: 450 },
    ],
    shipTo: {
      name: 'Ada Example',
      phone: '+49 30 1234567',
      country: 'DE',
      region: 'Berlin',
      city: 'Berlin',
      postalCode: '10115',
      line1: 'Invalidenstrasse 1',
    },
    deliveryPreference: 'cheapest',
    ...overrides,
  };
}

/** An order sitting in `status`, built directly so every pair can be tried. */
function orderIn(status: OrderStatus, version = 4): Order {
  return { ...placeOrder(request(), 'ord-1', T0), status, version };
}

// The lifecycle as specified: the happy path, side exits only before SHIPMENT_REQUESTED, finals have no exits.
const EXPECTED_ALLOWED: ReadonlyArray<readonly [OrderStatus, OrderStatus]> = [
  ['PLACED', 'STOCK_LOCKED'],
  ['STOCK_LOCKED', 'ROUTED'],
  ['ROUTED', 'SHIPMENT_REQUESTED'],
  ['SHIPMENT_REQUESTED', 'SHIPPED'],
  ['SHIPPED', 'DELIVERED'],
  ['PLACED', 'REJECTED'],
  ['PLACED', 'CANCELLED'],
  ['PLACED', 'FAILED'],
  ['STOCK_LOCKED', 'REJECTED'],
  ['STOCK_LOCKED', 'CANCELLED'],
  ['STOCK_LOCKED', 'FAILED'],
  ['ROUTED', 'REJECTED'],
  ['ROUTED', 'CANCELLED'],
  ['ROUTED', 'FAILED'],
  // Awaiting payment: a failed or overdue payment, or the channel, cancels (an authorized payment moves it on as an amendment: payment.test.ts).
  ['PAYMENT_PENDING', 'CANCELLED'],
  // Its stock lock refused (REJECTED) or failed for good (FAILED), for a channel locking at placement.
  ['PAYMENT_PENDING', 'REJECTED'],
  ['PAYMENT_PENDING', 'FAILED'],
];
const isExpectedAllowed = (from: OrderStatus, to: OrderStatus) =>
  EXPECTED_ALLOWED.some(([f, t]) => f === from && t === to);

const ALL_PAIRS = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));
const LEGAL_PAIRS = ALL_PAIRS.filter(([from, to]) => isExpectedAllowed(from, to));
const ILLEGAL_PAIRS = ALL_PAIRS.filter(([from, to]) => !isExpectedAllowed(from, to));

describe('order status graph', () => {
  it('knows exactly the ten statuses the table covers', () => {
    expect([...ORDER_STATUSES].sort()).toEqual(
      ['CANCELLED', 'DELIVERED', 'FAILED', 'PAYMENT_PENDING', 'PLACED', 'REJECTED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'STOCK_LOCKED'],
    );
    expect(ALL_PAIRS).toHaveLength(100);
    expect(LEGAL_PAIRS).toHaveLength(17);
  });

  it.each(ALL_PAIRS)('canTransition(%s, %s) matches the expected table', (from, to) => {
    expect(canTransition(from, to)).toBe(isExpectedAllowed(from, to));
  });

  it.each(LEGAL_PAIRS)('%s -> %s is applied: version+1, history entry, updatedAt', (from, to) => {
    const before = orderIn(from, 4);
    const snapshot = structuredClone(before);
    const after = transition(before, to, T1, {}, 'because');
    expect(after.status).toBe(to);
    expect(after.version).toBe(5);
    expect(after.updatedAt).toBe(T1);
    expect(after.placedAt).toBe(T0);
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.history.at(-1)).toEqual({ from, to, at: T1, reason: 'because' });
    expect(after.history.slice(0, -1)).toEqual(before.history);
    // The input order is left untouched.
    expect(before).toEqual(snapshot);
  });

  it.each(ILLEGAL_PAIRS)('%s -> %s throws IllegalTransition', (from, to) => {
    const before = orderIn(from);
    let thrown: unknown;
    try {
      transition(before, to, T1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransition);
    expect(thrown).toBeInstanceOf(DomainError);
    const illegal = thrown as IllegalTransition;
    expect(illegal.name).toBe('IllegalTransition');
    expect(illegal.from).toBe(from);
    expect(illegal.to).toBe(to);
    expect(illegal.message).toContain(from);
    expect(illegal.message).toContain(to);
  });

  it('finals are exactly the statuses without exits', () => {
    const finals = ORDER_STATUSES.filter(isFinal);
    expect([...finals].sort()).toEqual(['CANCELLED', 'DELIVERED', 'FAILED', 'REJECTED']);
    for (const status of finals) {
      expect(ORDER_STATUSES.filter((to) => canTransition(status, to))).toEqual([]);
    }
  });

  it('omits reason from the history entry when none is given', () => {
    const after = transition(orderIn('PLACED', 1), 'STOCK_LOCKED', T1);
    const entry = after.history.at(-1)!;
    expect(entry).toEqual({ from: 'PLACED', to: 'STOCK_LOCKED', at: T1 });
    expect('reason' in entry).toBe(false);
  });

  it('applies the changes passed alongside the new status', () => {
    const route = routePlan('WH-1', [{ sku: 'TEA-001', warehouseId: 'WH-1', quantity: 2 }]);
    const routed = transition(orderIn('STOCK_LOCKED'), 'ROUTED', T1, { route });
    expect(routed.route).toEqual(route);
    const rejected = transition(orderIn('ROUTED'), 'REJECTED', T1, { rejectionReason: 'NO_ROUTE' }, 'NO_ROUTE');
    expect(rejected.rejectionReason).toBe('NO_ROUTE');
    expect(rejected.history.at(-1)?.reason).toBe('NO_ROUTE');
  });

  it('walks the happy path from placement to delivery with consecutive versions', () => {
    let order = placeOrder(request(), 'ord-9', T0);
    const path: OrderStatus[] = ['STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'];
    path.forEach((to, i) => {
      order = transition(order, to, `2025-03-01T11:0${i}:00.000Z`);
    });
    expect(order.status).toBe('DELIVERED');
    expect(order.version).toBe(6);
    expect(order.history.map((h) => [h.from, h.to])).toEqual([
      [null, 'PLACED'],
      ['PLACED', 'STOCK_LOCKED'],
      ['STOCK_LOCKED', 'ROUTED'],
      ['ROUTED', 'SHIPMENT_REQUESTED'],
      ['SHIPMENT_REQUESTED', 'SHIPPED'],
      ['SHIPPED', 'DELIVERED'],
    ]);
    expect(() => transition(order, 'CANCELLED', T1)).toThrow(IllegalTransition);
  });

  it('any walk of attempted transitions keeps version = history length and a chained history', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_STATUSES), { maxLength: 12 }), (targets) => {
        let order = placeOrder(request(), 'ord-walk', T0);
        for (const to of targets) {
          const legal = isExpectedAllowed(order.status, to);
          if (legal) order = transition(order, to, T1);
          else expect(() => transition(order, to, T1)).toThrow(IllegalTransition);
        }
        expect(order.version).toBe(order.history.length);
        expect(order.history[0]).toEqual({ from: null, to: 'PLACED', at: T0 });
        for (let i = 1; i < order.history.length; i++) {
          expect(order.history[i]!.from).toBe(order.history[i - 1]!.to);
        }
        expect(order.history.at(-1)!.to).toBe(order.status);
      }),
    );
  });
});

describe('totalsOf', () => {
  it('counts items and sums quantity x unit price in minor units', () => {
    expect(totalsOf(request().lines)).toEqual({ itemCount: 5, amount: 2 * 1299 + 3 * 450 });
  });

  it('is zero for no lines', () => {
    expect(totalsOf([])).toEqual({ itemCount: 0, amount: 0 });
  });

  it('adds repeated SKUs line by line', () => {
    expect(
      totalsOf([
        { sku: 'A', quantity: 1, unitPrice: 100 },
        { sku: 'A', quantity: 4, unitPrice: 90 },
      ]),
    ).toEqual({ itemCount: 5, amount: 460 });
  });

  it('matches the sums for any lines', () => {
    const line = fc.record({
      sku: fc.constantFrom('A', 'B', 'C'),
      quantity: fc.integer({ min: 1, max: 1000 }),
      unitPrice: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        let items = 0;
        let amount = 0;
        for (const l of lines) {
          items += l.quantity;
          amount += l.quantity * l.unitPrice;
        }
        expect(totalsOf(lines)).toEqual({ itemCount: items, amount });
      }),
    );
  });
});

describe('placeOrder', () => {
  it('creates a PLACED order at version 1 with one history entry and the request copied', () => {
    const req = request({ attribution: { touchpoints: [{ channel: 'search', campaign: 'spring' }] } });
    const order = placeOrder(req, 'ord-42', T0);
    expect(order).toEqual({
      ...req,
      orderId: 'ord-42',
      status: 'PLACED',
      version: 1,
      maskedPhone: '+** ** ***4567',
      totals: { itemCount: 5, amount: 3948 },
      placedAt: T0,
      updatedAt: T0,
      history: [{ from: null, to: 'PLACED', at: T0 }],
    });
    expect(order.rejectionReason).toBeUndefined();
    expect(order.route).toBeUndefined();
    expect(order.shipment).toBeUndefined();
  });
});

describe('CANCELLABLE_STATUSES', () => {
  it('is everything before the shipment is requested', () => {
    expect([...CANCELLABLE_STATUSES].sort()).toEqual(['PAYMENT_PENDING', 'PLACED', 'ROUTED', 'STOCK_LOCKED']);
  });

  it('are exactly the statuses the graph allows to cancel from', () => {
    for (const status of ORDER_STATUSES) {
      expect(CANCELLABLE_STATUSES.includes(status)).toBe(canTransition(status, 'CANCELLED'));
    }
  });

  it('does not overlap the shipment statuses', () => {
    expect(SHIPMENT_STATUSES.filter((s) => CANCELLABLE_STATUSES.includes(s))).toEqual([]);
    expect([...SHIPMENT_STATUSES].sort()).toEqual(['DELIVERED', 'SHIPMENT_REQUESTED', 'SHIPPED']);
  });
});
