/**
 * The address change racing routing, against DynamoDB Local's real conditional
 * writes. Routing reads the order, decides, then writes guarded on the version it
 * read; the change writes guarded the same way. Whatever the interleaving, either
 * routing decided on the new address, or the change was refused and the order kept
 * the address it was routed for: never a route for an address the order no longer has.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderNotAmendable } from '../../functions/domain/errors.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { placeOrderOnce } from '../../functions/use-cases/place-order.ts';
import { changeShippingAddress } from '../../functions/use-cases/change-shipping-address.ts';
import { lockStock } from '../../functions/use-cases/lock-stock.ts';
import { routeOrder } from '../../functions/use-cases/route-order.ts';
import { localDependencies, openedOrder } from '../support/dynamodb.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { setOnHand } from '../../functions/use-cases/inventory.ts';

const CHANNEL = orderRequest().channel;
const SHANGHAI = orderRequest().shipTo;
const BEIJING = { ...SHANGHAI, region: 'Beijing', city: 'Beijing', postalCode: '100000', line1: '1 Chang\'an Avenue' };
/** With stock in both cities, the fastest route ships from the city the order goes to. */
const WAREHOUSE_FOR = { Shanghai: 'wh-shanghai', Beijing: 'wh-beijing' } as Record<string, string>;

let deps: Dependencies;
let counter = 0;

beforeAll(async () => {
  deps = await localDependencies('address-race');
});

async function lockedOrder(): Promise<string> {
  const sku = `RACE-${++counter}-${Date.now()}`;
  await setOnHand(deps, sku, { 'wh-shanghai': 5, 'wh-beijing': 5 });
  const { order } = await placeOrderOnce(deps, orderRequest({ lines: [{ sku, quantity: 1, unitPrice: 100 }], deliveryPreference: 'fastest' }));
  await lockStock(deps, order.orderId);
  return order.orderId;
}

const change = (d: Dependencies, orderId: string) => changeShippingAddress(d, { orderId, channel: CHANNEL, shipTo: BEIJING });

describe('changing the address while routing runs', () => {
  it('routes for the address it was given when nothing races', async () => {
    const orderId = await lockedOrder();
    expect((await routeOrder(deps, orderId)).parcels.map((p) => p.warehouseId)).toEqual(['wh-shanghai']);
  });

  it('decides again from the new address when the change lands between routing\'s read and its write', async () => {
    const orderId = await lockedOrder();
    let changed = false;
    // Routing reads the policy after it read the order and before it writes: the change lands there, once.
    const racing: Dependencies = {
      ...deps,
      routingPolicy: async () => {
        if (!changed) {
          changed = true;
          expect((await change(deps, orderId)).version).toBe(3);
        }
        return deps.routingPolicy();
      },
    };
    const routed = await routeOrder(racing, orderId);
    expect(changed).toBe(true);
    expect(routed.parcels.map((p) => p.warehouseId)).toEqual(['wh-beijing']);
    const order = await openedOrder(deps, orderId);
    expect(order?.shipTo).toEqual(BEIJING);
    expect(order?.history.map((entry) => entry.amendment ?? entry.to)).toEqual(['PLACED', 'STOCK_LOCKED', 'SHIPPING_ADDRESS_CHANGED', 'ROUTED']);
  });

  it('refuses the change when routing wrote first, and the order keeps the address it was routed for', async () => {
    const orderId = await lockedOrder();
    await routeOrder(deps, orderId);
    await expect(change(deps, orderId)).rejects.toBeInstanceOf(OrderNotAmendable);
    expect((await openedOrder(deps, orderId))?.shipTo).toEqual(SHANGHAI);
  });

  it('never leaves a route for an address the order no longer has, over many concurrent races', async () => {
    const orderIds = await Promise.all(Array.from({ length: 12 }, () => lockedOrder()));
    await Promise.all(
      orderIds.map(async (orderId) => {
        const [changed] = await Promise.allSettled([change(deps, orderId), routeOrder(deps, orderId)]);
        if (changed.status === 'rejected') expect(changed.reason).toBeInstanceOf(OrderNotAmendable);
        const order = (await openedOrder(deps, orderId))!;
        expect(order.status).toBe('ROUTED');
        expect(order.route?.parcels.map((p) => p.warehouseId)).toEqual([WAREHOUSE_FOR[order.shipTo.city]]);
        expect(order.shipTo).toEqual(changed.status === 'fulfilled' ? BEIJING : SHANGHAI);
      }),
    );
  });
});
