/**
 * Erases a customer's personal data from every order of theirs (functions/domain/erasure.ts):
 * each order is read, erased by the domain and committed on the version read, so a step or
 * amendment writing the order meanwhile makes the erasure decide again rather than overwrite
 * it. Repeating it is safe: erased orders leave the customer index and are skipped if the
 * index still lists them.
 */
import { erasePersonalData, isErasable } from '../domain/erasure.ts';
import type { CustomerOrders, OrderRepository } from './ports.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

export type ErasureDependencies = Pick<Dependencies, 'customers' | 'now'> & { orders: Pick<OrderRepository, 'get' | 'commit'> };

export interface ErasureReport {
  /** Orders erased by this request. */
  erased: number;
  /** Orders still in flight, left as they are: erase again once they have ended. */
  pending: string[];
  /** False when the request stopped at its limit of orders: send it again for the rest. */
  complete: boolean;
}

/** Orders looked at per request, so that one request ends well within the API's 30 seconds. */
export const ERASURE_BATCH = 200;

export async function erasePersonalDataOf(deps: ErasureDependencies, customerId: string): Promise<ErasureReport> {
  const report: ErasureReport = { erased: 0, pending: [], complete: true };
  let seen = 0;
  for await (const orderId of deps.customers.orderIdsOf(customerId)) {
    if (seen++ === ERASURE_BATCH) {
      report.complete = false;
      break;
    }
    const outcome = await retryOnConflict(`Order ${orderId} kept changing while erasing`, async () => {
      const order = await deps.orders.get(orderId);
      // Already erased, or the index is behind a write that changed it.
      if (!order || order.customer.id !== customerId) return 'skipped' as const;
      if (!isErasable(order)) return 'pending' as const;
      const committed = await deps.orders.commit({ order: { before: order, after: erasePersonalData(order, deps.now()) } });
      return committed.ok ? ('erased' as const) : CONFLICT;
    });
    if (outcome === 'erased') report.erased++;
    if (outcome === 'pending') report.pending.push(orderId);
  }
  return report;
}
