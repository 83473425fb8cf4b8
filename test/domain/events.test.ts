/** Order events: one detail type per status, a stable id, and no personal data. */
import { describe, it, expect } from 'vitest';
import { orderThrough, PATHS, ROUTE, SHIPMENT } from '../fixtures/lifecycle.ts';
import fc from 'fast-check';
import {
  DETAIL_TYPES,
  EVENT_SCHEMA_VERSION,
  EventContractBroken,
  orderEventOf,
  timelineOf,
} from '../../functions/domain/events.ts';
import { OrderNotAmendable } from '../../functions/domain/errors.ts';
import { maskPhone } from '../../functions/domain/phone-mask.ts';
import {
  ORDER_STATUSES,
  changeShippingAddress,
  placeOrder,
  transition,
  type Order,
  type OrderRequest,
  type OrderStatus,
} from '../../functions/domain/order.ts';

const T0 = '2025-04-02T08:00:00.000Z';

const SHIP_TO = {
  name: 'Marguerite Quillfeather',
  phone: '+44 (0)20 7946-0958',
  country: 'GB',
  region: 'England',
  city: 'London',
  postalCode: 'EC1A 1BB',
  line1: '221B Baker Street',
};
const ATTRIBUTION = {
  touchpoints: [{ channel: 'influencer-livestream', campaign: 'creator-zq81', medium: '@secret_handle_77' }],
  extra: { clickId: 'gclid-XYZ-31337' },
};

function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    channel: 'marketplace',
    channelOrderId: 'MKT-555',
    currency: 'GBP',
    customer: { id: 'cust-7', tier: 'plus' },
    lines: [{ sku: 'TEA-001', quantity: 2, unitPrice: 1299 }],
    shipTo: { ...SHIP_TO },
    deliveryPreference: 'greenest',
    attribution: structuredClone(ATTRIBUTION),
    ...overrides,
  };
}

function orderAt(status: OrderStatus): Order {
  return orderThrough(placeOrder(request(), 'ord-77', T0), status);
}

const EXPECTED_TYPES: Record<OrderStatus, string> = {
  PLACED: 'OrderPlaced',
  PAYMENT_PENDING: 'OrderPlaced',
  STOCK_LOCKED: 'OrderStockLocked',
  ROUTED: 'OrderRouted',
  SHIPMENT_REQUESTED: 'OrderShipmentRequested',
  SHIPPED: 'OrderShipped',
  DELIVERED: 'OrderDelivered',
  REJECTED: 'OrderRejected',
  CANCELLED: 'OrderCancelled',
  FAILED: 'OrderFailed',
};

/** The statuses an order is placed in. */
const PLACEMENTS: readonly OrderStatus[] = ['PLACED', 'PAYMENT_PENDING'];

describe('orderEventOf', () => {
  it('maps the ten statuses to nine distinct detail types (placed and placed awaiting payment are both OrderPlaced)', () => {
    expect(DETAIL_TYPES).toEqual(EXPECTED_TYPES);
    expect(new Set(ORDER_STATUSES.map((s) => DETAIL_TYPES[s])).size).toBe(9);
  });

  it.each(ORDER_STATUSES)('describes an order in %s', (status) => {
    const order = orderAt(status);
    expect(order.status).toBe(status);
    const event = orderEventOf(order);
    const last = order.history.at(-1)!;
    expect(event.type).toBe(EXPECTED_TYPES[status]);
    expect(event.status).toBe(status);
    expect(event.eventId).toBe(`ord-77:${order.version}`);
    expect(event.sequence).toBe(order.version);
    expect(event.sequence).toBe(PATHS[status].length + 1);
    expect(event.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(event.schemaVersion).toBe('1.0');
    expect(event.orderId).toBe('ord-77');
    expect(event.previousStatus).toBe(last.from);
    expect(event.previousStatus).toBe(PLACEMENTS.includes(status) ? null : order.history.at(-2)!.to);
    expect(event.occurredAt).toBe(last.at);
    expect(event.occurredAt).toBe(PLACEMENTS.includes(status) ? T0 : `2025-04-02T08:1${PATHS[status].length - 1}:00.000Z`);
    expect(event.channel).toBe('marketplace');
    expect(event.channelOrderId).toBe('MKT-555');
    expect(event.data.customerTier).toBe('plus');
    expect(event.data.currency).toBe('GBP');
    expect(event.data.totals).toEqual({ itemCount: 2, amount: 2598 });
    expect(event.data.lines).toEqual([{ sku: 'TEA-001', quantity: 2, unitPrice: 1299 }]);
    expect(event.data.deliveryPreference).toBe('greenest');
    expect(event.data.shipTo).toEqual({ country: 'GB', region: 'England', city: 'London', phone: '+** (*)** ****-0958' });
  });

  it('takes occurredAt from the last history entry, not updatedAt', () => {
    const order = { ...orderAt('ROUTED'), updatedAt: '2099-01-01T00:00:00.000Z' };
    expect(orderEventOf(order).occurredAt).toBe(order.history.at(-1)!.at);
    expect(orderEventOf(order).occurredAt).not.toBe(order.updatedAt);
  });

  it('gives consecutive event ids and sequences along one order', () => {
    const ids = ['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'].map(
      (s) => orderEventOf(orderAt(s as OrderStatus)).eventId,
    );
    expect(ids).toEqual(['ord-77:1', 'ord-77:2', 'ord-77:3', 'ord-77:4', 'ord-77:5', 'ord-77:6']);
  });

  it.each([
    ['REJECTED', 'NO_ROUTE'],
    ['CANCELLED', 'CUSTOMER_REQUEST'],
    ['FAILED', 'CarrierUnavailable'],
  ] as const)('includes the reason for %s', (status, reason) => {
    const data: Record<string, unknown> = orderEventOf(orderAt(status)).data;
    expect(data.reason).toBe(reason);
  });

  it.each(['PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED'] as const)(
    'has no reason for %s, even if a reason field is set on the order',
    (status) => {
      const order: Order = { ...orderAt(status), failureReason: 'stale', rejectionReason: 'OUT_OF_STOCK', cancellationReason: 'OTHER' };
      expect('reason' in orderEventOf(order).data).toBe(false);
    },
  );

  it('carries the route summary (without allocations) and the shipment once they exist', () => {
    const data = (status: OrderStatus): Record<string, unknown> => orderEventOf(orderAt(status)).data;
    expect(data('STOCK_LOCKED').route).toBeUndefined();
    const { allocations: _allocations, ...withoutAllocations } = ROUTE;
    expect(data('ROUTED').route).toEqual(withoutAllocations);
    expect(data('ROUTED').route).not.toHaveProperty('allocations');
    expect(data('ROUTED').shipment).toBeUndefined();
    expect(data('SHIPPED').shipment).toEqual(SHIPMENT);
  });

  it('refuses to describe an order whose stored route carries a field the contract does not publish', () => {
    const routed = orderAt('ROUTED');
    const order: Order = { ...routed, route: { ...routed.route!, dispatcherNote: 'call Marguerite on +44 20 7946 0958' } as never };
    const error = (() => {
      try {
        return orderEventOf(order);
      } catch (caught) {
        return caught as EventContractBroken;
      }
    })();
    expect(error).toBeInstanceOf(EventContractBroken);
    expect((error as EventContractBroken).issues).toEqual(['$.data.route: unrecognized_keys']);
    // Where and how only: the values may be personal data, and the error ends up in logs.
    expect((error as EventContractBroken).message).not.toContain('Marguerite');
    expect((error as EventContractBroken).message).not.toContain('7946');
  });

  it('refuses an order in a state the lifecycle cannot produce: a rejection without its reason', () => {
    const { rejectionReason: _reason, ...order } = orderAt('REJECTED');
    expect(() => orderEventOf(order)).toThrow(/OrderRejected breaks its schema: \$\.data\.reason: invalid_value/);
  });

  it('carries each parcel\'s carrier status, not the store\'s write guard', () => {
    const delivered = { parcels: [{ ...SHIPMENT.parcels[0]!, status: 'delivered' as const, statusAt: T0 }], carrierEvents: 2 };
    const order = transition(orderAt('SHIPPED'), 'DELIVERED', T0, { shipment: delivered });
    const event = orderEventOf(order);
    expect(event.type === 'OrderDelivered' && event.data.shipment).toEqual({ parcels: delivered.parcels });
  });

  it('omits deliveryPreference when the order has none', () => {
    const order = placeOrder(request({ deliveryPreference: undefined }), 'ord-1', T0);
    expect('deliveryPreference' in orderEventOf(order).data).toBe(false);
  });

  describe('carries no personal data', () => {
    const forbidden = [
      SHIP_TO.name,
      'Quillfeather',
      SHIP_TO.line1,
      'Baker Street',
      SHIP_TO.postalCode,
      SHIP_TO.phone,
      '4402079460958', // the phone's digits, however formatted
      '+44',
      '20 7946',
      '7946',
      'influencer-livestream',
      'creator-zq81',
      '@secret_handle_77',
      'gclid-XYZ-31337',
      'touchpoints',
      'attribution',
    ];

    it.each(ORDER_STATUSES)('in the serialized %s event', (status) => {
      const order = orderAt(status);
      // The order itself does carry all of it, so the checks below can fail.
      const raw = JSON.stringify(order);
      expect(raw).toContain(SHIP_TO.name);
      expect(raw).toContain('creator-zq81');
      const json = JSON.stringify(orderEventOf(order));
      const digitsOnly = json.replace(/\D/g, '');
      for (const value of forbidden) expect(json).not.toContain(value);
      expect(digitsOnly).not.toContain('4402079460958');
      expect(SHIP_TO.phone.replace(/\D/g, '')).toBe('4402079460958');
      expect(json).toContain('0958');
    });

    it('for any ship-to and attribution', () => {
      // Distinctive markers so a hit cannot come from other fields by chance.
      const marker = (prefix: string) => fc.stringMatching(/^[a-z]{6,12}$/).map((s) => `${prefix}${s}`);
      const phone = fc
        .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { minLength: 8, maxLength: 14 })
        .map((digits) => `+${digits.join('')}`);
      fc.assert(
        fc.property(marker('NAME_'), marker('STREET_'), marker('ZIP_'), marker('ATTR_'), phone, (name, line1, postalCode, attr, ph) => {
          const order = placeOrder(
            request({ shipTo: { ...SHIP_TO, name, line1, postalCode, phone: ph }, attribution: { touchpoints: [{ channel: attr, campaign: attr }], extra: { source: attr } } }),
            'ord-p',
            T0,
          );
          const json = JSON.stringify(orderEventOf(order));
          for (const value of [name, line1, postalCode, attr, ph, ph.slice(1)]) expect(json).not.toContain(value);
          expect(json).toContain(ph.slice(-4));
        }),
      );
    });
  });
});

describe('shipping address change', () => {
  const PARIS = { ...SHIP_TO, country: 'FR', region: 'Ile-de-France', city: 'Paris', postalCode: '75001', line1: '1 Rue de Rivoli', name: 'Honore Brightwater' };

  it('is its own event, OrderShippingAddressChanged, with the status unchanged and no personal data', () => {
    const changed = changeShippingAddress(orderAt('STOCK_LOCKED'), PARIS, '2025-04-02T09:00:00.000Z');
    const event = orderEventOf(changed);
    expect(event).toMatchObject({
      eventId: 'ord-77:3',
      type: 'OrderShippingAddressChanged',
      sequence: 3,
      status: 'STOCK_LOCKED',
      previousStatus: 'STOCK_LOCKED',
      occurredAt: '2025-04-02T09:00:00.000Z',
      data: { shipTo: { country: 'FR', region: 'Ile-de-France', city: 'Paris', phone: '+** (*)** ****-0958' } },
    });
    const json = JSON.stringify(event);
    for (const value of [PARIS.name, PARIS.line1, PARIS.postalCode]) expect(json).not.toContain(value);
  });

  it('is refused from ROUTED on, and the same address again changes nothing', () => {
    for (const status of ORDER_STATUSES.filter((s) => s !== 'PLACED' && s !== 'PAYMENT_PENDING' && s !== 'STOCK_LOCKED')) {
      expect(() => changeShippingAddress(orderAt(status), PARIS, T0), status).toThrow(OrderNotAmendable);
    }
    const order = orderAt('PLACED');
    expect(changeShippingAddress(order, { ...SHIP_TO }, T0)).toBe(order);
  });

  it('shows in the timeline between the transitions, with the event ids the publisher gives', () => {
    let order = changeShippingAddress(orderAt('PLACED'), PARIS, '2025-04-02T08:05:00.000Z');
    order = transition(order, 'STOCK_LOCKED', '2025-04-02T08:06:00.000Z');
    expect(timelineOf(order).map((entry) => [entry.sequence, entry.event.detailType, entry.event.eventId])).toEqual([
      [1, 'OrderPlaced', 'ord-77:1'],
      [2, 'OrderShippingAddressChanged', 'ord-77:2'],
      [3, 'OrderStockLocked', 'ord-77:3'],
    ]);
    expect(timelineOf(order).at(-1)?.event.eventId).toBe(orderEventOf(order).eventId);
  });
});

describe('maskPhone', () => {
  it.each([
    ['+86 138 0013 8000', '+** *** **** 8000'],
    ['+1 (555) 010-9999', '+* (***) ***-9999'],
    ['07700900123', '*******0123'],
    ['+44 (0)20 7946-0958', '+** (*)** ****-0958'],
    ['1234', '1234'],
    ['12', '12'],
    ['', ''],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('keeps formatting characters and exactly the last four digits, for any phone', () => {
    const char = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '(', ')', '+', '.');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 25 }).map((cs) => cs.join('')), (phone) => {
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(phone.length);
        const digits = phone.replace(/\D/g, '');
        const keep = Math.min(4, digits.length);
        // Formatting characters untouched, digits either kept or starred.
        for (let i = 0; i < phone.length; i++) {
          if (/\D/.test(phone[i]!)) expect(masked[i]).toBe(phone[i]);
          else expect([phone[i], '*']).toContain(masked[i]);
        }
        expect(masked.replace(/\D/g, '')).toBe(keep === 0 ? '' : digits.slice(-keep));
        expect((masked.match(/\*/g) ?? []).length).toBe(digits.length - keep);
      }),
    );
  });
});
