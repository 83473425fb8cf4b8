/** Erasure under concurrent changes: it decides again on the order as it now stands, never overwriting a newer version. */
import { describe, expect, it } from 'vitest';
import { placeOrder, transition, type Order } from '../../functions/domain/order.ts';
import { erasePersonalDataOf, ERASURE_BATCH } from '../../functions/use-cases/erase-personal-data.ts';
import type { CommitOutcome, OrderChange } from '../../functions/use-cases/ports.ts';
import { orderRequest } from '../fixtures/orders.ts';

const NOW = '2026-12-03T10:00:00.000Z';

function cancelled(orderId: string): Order {
  return transition(placeOrder(orderRequest({ customer: { id: 'cust-9', tier: 'plus' } }), orderId, NOW), 'CANCELLED', NOW, { cancellationReason: 'OTHER' }, 'OTHER');
}

/** An order store whose orders another writer changes once, between the erasure's read and its commit. */
function racingStore(orders: Map<string, Order>) {
  const commits: OrderChange[] = [];
  let raced = false;
  return {
    commits,
    get: async (orderId: string) => orders.get(orderId),
    commit: async (change: OrderChange): Promise<CommitOutcome> => {
      commits.push(change);
      const current = orders.get(change.order.before.orderId)!;
      if (!raced) {
        raced = true;
        // A carrier callback or an operator bumped the version meanwhile.
        orders.set(current.orderId, { ...current, version: current.version + 1 });
        return { ok: false, reason: 'OrderChanged' };
      }
      if (current.version !== change.order.before.version) return { ok: false, reason: 'OrderChanged' };
      orders.set(current.orderId, change.order.after!);
      return { ok: true };
    },
  };
}

const ids = (...orderIds: string[]) => ({ orderIdsOf: async function* () { yield* orderIds; } });

describe('erasePersonalDataOf', () => {
  it('reads again after a conflicting write and erases the version that stands', async () => {
    const orders = new Map([['o-1', cancelled('o-1')]]);
    const store = racingStore(orders);
    const report = await erasePersonalDataOf({ orders: store, customers: ids('o-1', 'o-1'), now: () => NOW }, 'cust-9');
    expect(report).toEqual({ erased: 1, pending: [], complete: true });
    expect(store.commits.map((change) => change.order.before.version)).toEqual([2, 3]);
    expect(orders.get('o-1')).toMatchObject({ version: 4, customer: { id: '' }, personalDataErasedAt: NOW });
  });

  it('stops at its batch and says the request is not complete', async () => {
    const many = Array.from({ length: ERASURE_BATCH + 1 }, (_, i) => `o-${i}`);
    const report = await erasePersonalDataOf({ orders: { get: async () => undefined, commit: async () => ({ ok: true }) }, customers: ids(...many), now: () => NOW }, 'cust-9');
    expect(report).toEqual({ erased: 0, pending: [], complete: false });
  });
});
