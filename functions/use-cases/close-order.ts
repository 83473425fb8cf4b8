/** CloseOrder, the workflow's last compensation step (the rules every step keeps: fulfilment-step.ts). */
import { SHIPMENT_STATUSES, isFinal, standingClosing, transition } from '../domain/order.ts';
import type { StepDependencies } from './dependencies.ts';
import { load, step, type StepResult } from './fulfilment-step.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

export interface CloseRequest {
  orderId: string;
  failedStep: string;
  error: { Error: string; Cause?: string };
}

/**
 * Ends a compensated order as its closing mark says: REJECTED for a recorded business
 * refusal, FAILED for anything else. Only an order whose mark stands on its current
 * version is closed; a final order, an order holding a shipment, or one that another
 * execution carried on since is left as it is.
 */
export async function closeOrder(deps: StepDependencies, { orderId, failedStep, error }: CloseRequest): Promise<StepResult> {
  return retryOnConflict(`Order ${orderId} kept changing while closing it`, async () => {
    const order = await load(deps, orderId);
    const mark = standingClosing(order);
    if (isFinal(order.status) || SHIPMENT_STATUSES.includes(order.status) || !mark) return { orderId, status: order.status };
    const rejection = mark.rejectionReason;
    const failure = `${failedStep}: ${error.Error}`;
    const after = rejection
      ? transition(order, 'REJECTED', deps.now(), { rejectionReason: rejection }, rejection, step('CloseOrder'))
      : transition(order, 'FAILED', deps.now(), { failureReason: failure }, failure, step('CloseOrder'));
    const outcome = await deps.orders.commit({ order: { before: order, after } });
    return outcome.ok ? { orderId, status: after.status } : CONFLICT;
  });
}
