/**
 * What operators do to an order in flight: hold it before its shipment is requested, release
 * it, and retry it when stranded or FAILED. Release and retry are the re-drive of ADR 0002 by the
 * operator: a recorded change guarded on the version read (the lease), then an execution
 * that resumes from where the order stands (docs/decisions/0004-operator-actions.md).
 */
import { isInFlight, overdueSeconds, redrive, redriveFailed } from '../domain/deadlines.ts';
import { NotRetryable } from '../domain/errors.ts';
import { holdOrder, type Actor, type Order } from '../domain/order.ts';
import { visibleOrder } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

type ActionDependencies = Pick<Dependencies, 'orders' | 'fulfilment' | 'deadlines' | 'now'>;

export async function holdOrderInFlight(deps: ActionDependencies, orderId: string, by: Actor): Promise<Order> {
  return retryOnConflict(`Order ${orderId} kept changing while holding it`, async () => {
    const order = await visibleOrder(deps, orderId, 'any');
    const after = holdOrder(order, deps.now(), by);
    if (after === order) return order;
    return (await deps.orders.commit({ order: { before: order, after } })).ok ? after : CONFLICT;
  });
}

/** Commits the re-driven order and starts its execution; the committed order is the lease. */
async function commitRedrive(deps: ActionDependencies, order: Order, after: Order): Promise<Order | typeof CONFLICT> {
  if (!(await deps.orders.commit({ order: { before: order, after } })).ok) return CONFLICT;
  // Should the start fail, the order is in flight and not held: the reconciler re-drives it after its deadline.
  await deps.fulfilment.start(order.orderId, after.fulfilmentRedrives!.count);
  return after;
}

/** Ends a hold and moves the order on from where it stands; releasing an order not held changes nothing. */
export async function releaseOrder(deps: ActionDependencies, orderId: string, by: Actor): Promise<Order> {
  return retryOnConflict(`Order ${orderId} kept changing while releasing it`, async () => {
    const order = await visibleOrder(deps, orderId, 'any');
    if (!order.hold) return order;
    return commitRedrive(deps, order, redrive(order, deps.now(), deps.deadlines, by));
  });
}

/**
 * Re-drives an order stranded in flight past its deadline, without waiting for the reconciler
 * and whatever re-drives it already had, or a FAILED order from PLACED (its compensation gave
 * its stock back). An order on time is left to its execution, a held one to its release, and
 * one otherwise out of flight has nothing to retry: a REJECTED order was refused for a business
 * reason that a retry would meet again. Of two retries racing, the one whose write lands starts
 * the execution; the other reads the order again and finds it in flight and on time.
 */
export async function retryOrder(deps: ActionDependencies, orderId: string, by: Actor): Promise<Order> {
  return retryOnConflict(`Order ${orderId} kept changing while retrying it`, async () => {
    const order = await visibleOrder(deps, orderId, 'any');
    if (order.status === 'FAILED') return commitRedrive(deps, order, redriveFailed(order, deps.now(), by));
    if (order.status === 'REJECTED') {
      throw new NotRetryable(
        order.status,
        `The order was rejected (${order.rejectionReason ?? 'no reason recorded'}): a business refusal, not a failure, that a retry would meet again; place a new order once it can be served`,
      );
    }
    if (!isInFlight(order.status)) throw new NotRetryable(order.status, `An order in ${order.status} is not in flight: nothing to retry`);
    if (order.hold) throw new NotRetryable(order.status, 'The order is held: release it to move it on');
    if (overdueSeconds(order, deps.now(), deps.deadlines) <= 0) {
      throw new NotRetryable(order.status, `The order is within its deadline in ${order.status}: its execution is still expected to move it`);
    }
    return commitRedrive(deps, order, redrive(order, deps.now(), deps.deadlines, by));
  });
}
