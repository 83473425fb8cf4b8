/**
 * Returns: request, approve or reject, label, inspection with restock, refund. Each step reads
 * the return, decides with the pure domain (functions/domain/returns.ts), and commits guarded on
 * what it read; on a conflict it reads again and decides again. Every step is idempotent: a
 * repeated call finds the return past it and changes nothing, and a step interrupted after its
 * write is finished by the next call (an approved return without a label gets one when approved
 * again; an inspected return without a refund request gets it when the inspection is repeated).
 */
import { IdempotencyConflict, InventoryConflict, ReturnNotFound, TransientError } from '../domain/errors.ts';
import type { Actor, Order } from '../domain/order.ts';
import { DEFAULT_RETURN_POLICY, type ReturnPolicy } from '../domain/return-policy.ts';
import {
  approveReturn,
  autoApproved,
  cancelReturn,
  completeRefund,
  inspectReturn,
  issueLabel,
  rejectReturn,
  releasedLedger,
  releasesUnits,
  requestRefund,
  requestReturn,
  type InspectedLine,
  type Return,
  type ReturnRequest,
} from '../domain/returns.ts';
import { visibleOrder, type Visibility } from './channel-orders.ts';
import type { Dependencies } from './dependencies.ts';
import { requestFingerprint } from './place-order.ts';
import type { ReturnChange, StoredPolicy } from './ports.ts';
import { savePolicyVersion, type VersionCondition } from './routing-policy.ts';
import { CONFLICT, retryOnConflict } from './retry-on-conflict.ts';

type ReturnDeps = Pick<Dependencies, 'orders' | 'returns' | 'returnPolicies' | 'returnLabels' | 'now' | 'newReturnId'>;

/** The live return policy, or the built-in default while none is saved. */
export async function liveReturnPolicy(deps: Pick<Dependencies, 'returnPolicies'>): Promise<{ document: ReturnPolicy; version: number | null }> {
  const stored = await deps.returnPolicies.current<ReturnPolicy>();
  return stored ? { document: stored.document, version: stored.version } : { document: DEFAULT_RETURN_POLICY, version: null };
}

/** The return, if the caller may see it: a channel only its own orders' returns ("not found" otherwise, as for orders). */
export async function visibleReturn(deps: Pick<Dependencies, 'returns'>, returnId: string, visibility: Visibility): Promise<Return> {
  const found = await deps.returns.get(returnId);
  if (!found || (visibility !== 'any' && found.channel !== visibility.channel)) throw new ReturnNotFound(returnId);
  return found;
}

/** The order's returns, oldest first, if the caller may see the order. */
export async function returnsOfOrder(deps: Pick<Dependencies, 'orders' | 'returns'>, orderId: string, visibility: Visibility): Promise<Return[]> {
  await visibleOrder(deps, orderId, visibility);
  return deps.returns.listOfOrder(orderId);
}

/**
 * Reads the return, lets `decide` say what it becomes (undefined: nothing to write), commits it
 * guarded on what was read, and on a conflict reads again and decides again. Answers the return as it stands.
 */
async function changeReturn(
  deps: Pick<Dependencies, 'returns'>,
  returnId: string,
  decide: (current: Return) => Promise<Omit<ReturnChange, 'before'> | undefined>,
): Promise<Return> {
  return retryOnConflict(`Return ${returnId} kept changing`, async () => {
    const current = await deps.returns.get(returnId);
    if (!current) throw new ReturnNotFound(returnId);
    const change = await decide(current);
    if (!change || change.after === current) return current;
    const outcome = await deps.returns.commit({ before: current, ...change });
    if (outcome.ok) return change.after;
    if (outcome.reason === 'NotStocked') {
      throw new InventoryConflict(`A returned SKU is not stocked at the warehouse it shipped from; set its count with PUT /inventory/{sku} first`);
    }
    return CONFLICT;
  });
}

/** The parcel id of a return's label: one per return, the carrier's idempotency key. */
const returnParcelId = (ret: Return) => `${ret.returnId}-R1`;

/** The carrier that delivered from the return's warehouse, else the order's first parcel's. */
function returnCarrierOf(order: Order, warehouseId: string): string {
  const parcels = order.shipment?.parcels ?? [];
  const parcel = parcels.find((candidate) => candidate.warehouseId === warehouseId) ?? parcels[0];
  if (!parcel) throw new TransientError(`Order ${order.orderId} has no parcel to take the carrier of the return from`);
  return parcel.carrier;
}

/** An approved return gets its label (asked of the carrier once per parcel id, so a retry gets the same one). */
async function labelled(deps: ReturnDeps, ret: Return, by?: Actor): Promise<Return> {
  if (ret.status !== 'APPROVED') return ret;
  const order = await deps.orders.get(ret.orderId);
  if (!order) throw new TransientError(`Order ${ret.orderId} is not readable`);
  const warehouseId = ret.lines[0]!.warehouseId;
  const label = await deps.returnLabels.createReturnLabel({
    orderId: ret.orderId,
    returnId: ret.returnId,
    parcelId: returnParcelId(ret),
    carrier: returnCarrierOf(order, warehouseId),
    warehouseId,
  });
  return changeReturn(deps, ret.returnId, async (current) => {
    if (current.status !== 'APPROVED') return undefined;
    return {
      after: issueLabel(current, label, deps.now(), by),
      tracking: {
        carrierId: label.carrier,
        trackingNumber: label.trackingNumber,
        parcel: { orderId: current.orderId, parcelId: label.parcelId, returnId: current.returnId },
      },
    };
  });
}

export interface ReturnRequestCommand {
  orderId: string;
  channel: string;
  request: ReturnRequest;
  by: Actor;
  /** The channel's Idempotency-Key header: the same key and body answer the same return. */
  idempotencyKey?: string;
}

/**
 * A return of a delivered order's units: created REQUESTED with the ledger, then approved and
 * labelled at once when the policy auto-approves it. `created: false` for a repeat of a keyed request.
 */
export async function requestOrderReturn(deps: ReturnDeps, command: ReturnRequestCommand): Promise<{ created: boolean; return: Return }> {
  const { orderId, channel, request, by, idempotencyKey } = command;
  const requestHash = requestFingerprint({ orderId, ...request });
  const idempotency = idempotencyKey === undefined ? undefined : { channel, key: idempotencyKey, requestHash };
  const result = await retryOnConflict(`The returns of order ${orderId} kept changing`, async () => {
    if (idempotency) {
      // Before deciding: the first request's units are held in the ledger, so the repeat would be refused.
      const earlier = await deps.returns.findByIdempotencyKey(channel, orderId, idempotency.key);
      if (earlier) {
        if (earlier.requestHash !== requestHash) throw new IdempotencyConflict(orderId);
        const found = await deps.returns.getOfOrder(orderId, earlier.returnId);
        if (!found) throw new TransientError('The return this key names is not readable yet');
        return { created: false, return: found };
      }
    }
    const order = await visibleOrder(deps, orderId, { channel });
    const [ledger, policy] = await Promise.all([deps.returns.ledger(orderId), liveReturnPolicy(deps)]);
    const decided = requestReturn(order, ledger, request, policy, { returnId: deps.newReturnId(), now: deps.now(), by });
    const written = await deps.returns.create({ created: decided.created, ledger: { before: ledger, after: decided.ledger }, ...(idempotency ? { idempotency } : {}) });
    return written === 'LedgerChanged' ? CONFLICT : { ...written, policy: policy.document };
  });
  if (!result.created || !('policy' in result)) return { created: false, return: result.return };
  const created = result.return;
  if (!autoApproved(result.policy, created.reasonCode, created.customerTier)) return { created: true, return: created };
  const policyActor: Actor = { kind: 'step', id: 'return-policy' };
  const approved = await changeReturn(deps, created.returnId, async (current) => ({ after: approveReturn(current, deps.now(), policyActor) }));
  return { created: true, return: await labelled(deps, approved, policyActor) };
}

/** An operator approves: APPROVED, then the label. Approving again finishes a label that failed, else changes nothing. */
export async function approveOrderReturn(deps: ReturnDeps, returnId: string, by: Actor): Promise<Return> {
  const approved = await changeReturn(deps, returnId, async (current) => ({ after: approveReturn(current, deps.now(), by) }));
  return labelled(deps, approved, by);
}

/** A change that may end the return (rejected, cancelled): the ledger gives its units back in the same write. */
function endingReturn(deps: ReturnDeps, returnId: string, end: (current: Return) => Return): Promise<Return> {
  return changeReturn(deps, returnId, async (current) => {
    const after = end(current);
    if (!releasesUnits(current, after)) return { after };
    const ledger = await deps.returns.ledger(current.orderId);
    return { after, ledger: { before: ledger, after: releasedLedger(ledger, current) } };
  });
}

/** An operator rejects: REJECTED, and its units can be returned again. */
export function rejectOrderReturn(deps: ReturnDeps, returnId: string, by: Actor): Promise<Return> {
  return endingReturn(deps, returnId, (current) => rejectReturn(current, deps.now(), by));
}

/**
 * The channel (its own orders' returns) or an admin cancels before the parcel moves: CANCELLED,
 * and its units can be returned again. A label already issued is simply never used.
 */
export async function cancelOrderReturn(deps: ReturnDeps, returnId: string, visibility: Visibility, by: Actor): Promise<Return> {
  await visibleReturn(deps, returnId, visibility);
  return endingReturn(deps, returnId, (current) => cancelReturn(current, deps.now(), by));
}

/**
 * The inspection of a received return: INSPECTED with the sellable units back on hand at the
 * warehouse each line shipped from, in one transaction (a retry finds it INSPECTED and restocks
 * nothing), then REFUND_REQUESTED with the amount. Repeating the same inspection finishes a
 * refund request an interruption left out; other figures are a 409.
 */
export async function inspectOrderReturn(deps: ReturnDeps, returnId: string, lines: readonly InspectedLine[], by: Actor): Promise<Return> {
  await changeReturn(deps, returnId, async (current) => {
    const { after, restock } = inspectReturn(current, lines, deps.now(), by);
    return after ? { after, restock } : undefined;
  });
  return changeReturn(deps, returnId, async (current) => ({ after: requestRefund(current, deps.now(), by) }));
}

/** The payment partner's confirmation: REFUNDED with its reference; the same again changes nothing, another one is a 409. */
export function recordRefund(deps: ReturnDeps, returnId: string, reference: string, by: Actor): Promise<Return> {
  return changeReturn(deps, returnId, async (current) => ({ after: completeRefund(current, reference, deps.now(), by) }));
}

/** Saves the next version of the return policy under the same conditions as the routing policy's (If-Match). */
export function saveReturnPolicy(
  deps: Pick<Dependencies, 'returnPolicies' | 'now'>,
  policy: ReturnPolicy,
  condition: VersionCondition | undefined,
): Promise<StoredPolicy<ReturnPolicy>> {
  return savePolicyVersion(deps.returnPolicies, deps.now(), 'return policy', () => policy, condition);
}
