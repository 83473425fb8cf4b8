/** The stored shape of an order: what goes in comes back, with the routing explanation compressed. */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../functions/domain/order.ts';
import { fromOrderItem, toOrderItem } from '../../functions/store/order-item.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { routePlan } from '../fixtures/routes.ts';

const placed = placeOrder(orderRequest(), '01JORDER000000000000000001', '2026-11-23T10:00:00.000Z');
const locked = transition(placed, 'STOCK_LOCKED', '2026-11-23T10:00:01.000Z');
const routed = transition(locked, 'ROUTED', '2026-11-23T10:00:02.000Z', { route: routePlan('wh-1') });

const roundTrip = (item: Record<string, unknown>) => fromOrderItem(unmarshall(marshall(item, { removeUndefinedValues: true })));

describe('order items', () => {
  it('round-trips an order before and after routing', () => {
    expect(roundTrip(toOrderItem(placed))).toEqual(placed);
    expect(roundTrip(toOrderItem(routed))).toEqual(routed);
  });

  it('keeps the explanation as compressed bytes, not as a nested map', () => {
    const explanation = {
      candidates: [],
      candidatesOmitted: 0,
      rulesFired: Array.from({ length: 40 }, (_, i) => `vip-liquids-to-hainan-use-cold-chain-${i}`),
    };
    const order = { ...routed, route: { ...routed.route!, explanation } };
    const item = toOrderItem(order);
    expect(item.routeExplanation).toBeInstanceOf(Uint8Array);
    expect((item.route as Record<string, unknown>).explanation).toBeUndefined();
    expect((item.routeExplanation as Uint8Array).length).toBeLessThan(JSON.stringify(explanation).length / 4);
    expect(roundTrip(item)).toEqual(order);
  });

  it('carries the list index keys and nothing of them back into the order', () => {
    const item = toOrderItem(routed);
    expect(item).toMatchObject({ pk: `ORDER#${routed.orderId}`, sk: 'ORDER', channelStatus: `${routed.channel}#ROUTED`, customerId: routed.customer.id });
    expect(Object.keys(roundTrip(item)).sort()).toEqual(Object.keys(routed).sort());
  });
});
