/**
 * A return: its own aggregate beside its order, with its own id, version and history (one
 * history entry per version, so one event per write, like orders). Pure: no I/O, no clock.
 *
 *   REQUESTED → APPROVED | REJECTED → LABEL_ISSUED → IN_TRANSIT → RECEIVED → INSPECTED
 *             → REFUND_REQUESTED → REFUNDED, and CANCELLED before the parcel moves.
 *
 * What may be returned is counted per order in a ledger (units of each SKU in returns that
 * are not rejected or cancelled), written in the same transaction as the return, so two
 * requests racing for the last units cannot both have them.
 */
import { IllegalReturnTransition, InvalidReturnRequest, ReturnNotAllowed, type ReturnFieldIssue } from './errors.ts';
import type { Actor, Order } from './order.ts';
import { SELLER_FAULT_REASONS, type ReturnPolicy, type ReturnReasonCode } from './return-policy.ts';
import type { CustomerTier, ParcelStatus } from './vocabulary.ts';

export const RETURN_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'REJECTED',
  'LABEL_ISSUED',
  'IN_TRANSIT',
  'RECEIVED',
  'INSPECTED',
  'REFUND_REQUESTED',
  'REFUNDED',
  'CANCELLED',
] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

const NEXT: Record<ReturnStatus, readonly ReturnStatus[]> = {
  REQUESTED: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['LABEL_ISSUED', 'CANCELLED'],
  // RECEIVED straight from LABEL_ISSUED: the carrier's pick-up scan can be lost, the delivery is what counts.
  LABEL_ISSUED: ['IN_TRANSIT', 'RECEIVED', 'CANCELLED'],
  IN_TRANSIT: ['RECEIVED'],
  RECEIVED: ['INSPECTED'],
  INSPECTED: ['REFUND_REQUESTED'],
  REFUND_REQUESTED: ['REFUNDED'],
  REFUNDED: [],
  REJECTED: [],
  CANCELLED: [],
};

export function canReturnTransition(from: ReturnStatus, to: ReturnStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses a return holds its units in the ledger: all but the two that give them back. */
const RELEASING: readonly ReturnStatus[] = ['REJECTED', 'CANCELLED'];

export interface ReturnLine {
  sku: string;
  quantity: number;
  /** The order line's unit price, minor units: what a refunded unit is worth. */
  unitPrice: number;
  /** The warehouse the line shipped from, where sellable units go back on hand. */
  warehouseId: string;
}

export interface ReturnLabel {
  carrier: string;
  trackingNumber: string;
  /** The carrier's parcel id for the return parcel (idempotency key of the label request). */
  parcelId: string;
  /** Where the parcel goes: the warehouse the first line shipped from. */
  warehouseId: string;
  /** The carrier's latest scan of the return parcel; absent until its first callback. */
  status?: ParcelStatus;
  statusAt?: string;
}

export interface InspectedLine {
  sku: string;
  sellable: number;
  damaged: number;
}

export interface Refund {
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** Units refunded: sellable ones, and damaged ones when the reason is the seller's fault. */
  units: number;
  /** The payment partner's reference, once it confirmed. */
  reference?: string;
  refundedAt?: string;
}

export interface ReturnTransition {
  from: ReturnStatus | null;
  to: ReturnStatus;
  at: string;
  by?: Actor;
  reason?: string;
}

export interface Return {
  returnId: string;
  orderId: string;
  channel: string;
  channelOrderId: string;
  status: ReturnStatus;
  /** Increments with every history entry: the event sequence per return. */
  version: number;
  reasonCode: ReturnReasonCode;
  customerTier: CustomerTier;
  currency: string;
  lines: ReturnLine[];
  /** The return policy version that allowed it; null for the built-in default. */
  policyVersion: number | null;
  requestedAt: string;
  updatedAt: string;
  history: ReturnTransition[];
  label?: ReturnLabel;
  inspection?: { lines: InspectedLine[] };
  refund?: Refund;
}

/** Units of each SKU of an order that returns hold (not rejected, not cancelled); `revision` guards its writes. */
export interface ReturnLedger {
  orderId: string;
  returned: Record<string, number>;
  revision: number;
}

export const emptyLedger = (orderId: string): ReturnLedger => ({ orderId, returned: {}, revision: 0 });

export interface ReturnRequest {
  lines: Array<{ sku: string; quantity: number }>;
  reasonCode: ReturnReasonCode;
}

/** The payment partner's refund reference: a key, not prose (no spaces, no `@`), so events may carry it. */
export const PAYMENT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const DAY_MS = 24 * 60 * 60 * 1000;

/** When the order was delivered: the entry that took it to DELIVERED. */
export function deliveredAt(order: Order): string | undefined {
  return order.history.findLast((entry) => entry.to === 'DELIVERED' && entry.from !== 'DELIVERED')?.at;
}

/** The warehouse that shipped most of the SKU for the order (the first such, by id, on a tie). */
function shippedFrom(order: Order, sku: string): string | undefined {
  const units = new Map<string, number>();
  for (const allocation of order.route?.allocations ?? []) {
    if (allocation.sku === sku) units.set(allocation.warehouseId, (units.get(allocation.warehouseId) ?? 0) + allocation.quantity);
  }
  const ranked = [...units.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  return ranked[0]?.[0] ?? order.shipment?.parcels[0]?.warehouseId;
}

/** Units of `sku` the order delivered, minus what returns already hold. */
export function returnableUnits(order: Order, ledger: ReturnLedger, sku: string): number {
  const delivered = order.lines.filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
  return delivered - (ledger.returned[sku] ?? 0);
}

function nonReturnableBecause(order: Order, sku: string, policy: ReturnPolicy): string | undefined {
  if (policy.nonReturnable.skus.includes(sku)) return `${sku} is not returnable`;
  const attributes = order.lines.find((line) => line.sku === sku)?.attributes ?? {};
  const flag = policy.nonReturnable.attributes.find((attribute) => attributes[attribute] === true);
  return flag ? `${sku} is not returnable (${flag})` : undefined;
}

/** Whether the policy approves the return without an operator. */
export function autoApproved(policy: ReturnPolicy, reasonCode: ReturnReasonCode, tier: CustomerTier): boolean {
  return policy.autoApprove.some((rule) => rule.reasonCodes.includes(reasonCode) && rule.tiers.includes(tier));
}

export interface RequestedReturn {
  created: Return;
  ledger: ReturnLedger;
}

/**
 * A new return of a delivered order within the policy's window, REQUESTED, with the ledger that
 * now holds its units. Throws InvalidReturnRequest for lines the order does not have (400), and
 * ReturnNotAllowed for an order not delivered, a closed window, non-returnable products or more
 * units than are left to return (409).
 */
export function requestReturn(
  order: Order,
  ledger: ReturnLedger,
  request: ReturnRequest,
  policy: { document: ReturnPolicy; version: number | null },
  ids: { returnId: string; now: string; by?: Actor },
): RequestedReturn {
  const { returnId, now, by } = ids;
  const delivered = order.status === 'DELIVERED' ? deliveredAt(order) : undefined;
  if (!delivered) throw new ReturnNotAllowed(`Order ${order.orderId} is ${order.status}: only a delivered order can be returned`);
  const closes = Date.parse(delivered) + policy.document.windowDays * DAY_MS;
  if (Date.parse(now) > closes) {
    throw new ReturnNotAllowed(`The return window of ${policy.document.windowDays} days closed at ${new Date(closes).toISOString()}`);
  }
  const unknown: ReturnFieldIssue[] = [];
  const seen = new Set<string>();
  request.lines.forEach(({ sku }, i) => {
    if (!order.lines.some((line) => line.sku === sku)) unknown.push({ path: `$.lines[${i}].sku`, message: `The order has no line of ${sku}` });
    else if (seen.has(sku)) unknown.push({ path: `$.lines[${i}].sku`, message: `${sku} is listed twice; give its units in one line` });
    seen.add(sku);
  });
  if (unknown.length > 0) throw new InvalidReturnRequest('The return names lines the order does not have', unknown);

  const refused: ReturnFieldIssue[] = [];
  request.lines.forEach(({ sku, quantity }, i) => {
    const because = nonReturnableBecause(order, sku, policy.document);
    if (because) return refused.push({ path: `$.lines[${i}].sku`, message: because });
    const left = returnableUnits(order, ledger, sku);
    if (quantity > left) refused.push({ path: `$.lines[${i}].quantity`, message: `${left} unit(s) of ${sku} are left to return` });
  });
  if (refused.length > 0) throw new ReturnNotAllowed('Some lines cannot be returned', refused);

  const lines = request.lines.map(({ sku, quantity }) => ({
    sku,
    quantity,
    unitPrice: order.lines.find((line) => line.sku === sku)!.unitPrice,
    warehouseId: shippedFrom(order, sku)!,
  }));
  const returned = { ...ledger.returned };
  for (const { sku, quantity } of lines) returned[sku] = (returned[sku] ?? 0) + quantity;
  const created: Return = {
    returnId,
    orderId: order.orderId,
    channel: order.channel,
    channelOrderId: order.channelOrderId,
    status: 'REQUESTED',
    version: 1,
    reasonCode: request.reasonCode,
    customerTier: order.customer.tier,
    currency: order.currency,
    lines,
    policyVersion: policy.version,
    requestedAt: now,
    updatedAt: now,
    history: [{ from: null, to: 'REQUESTED', at: now, ...(by ? { by } : {}) }],
  };
  return { created, ledger: { ...ledger, returned } };
}

/** The return moved to `to`, one history entry and one version more. */
function moved(ret: Return, to: ReturnStatus, now: string, by: Actor | undefined, changes: Partial<Return> = {}, reason?: string): Return {
  if (!canReturnTransition(ret.status, to)) {
    throw new IllegalReturnTransition(ret.status, `A return in ${ret.status} cannot go to ${to}`);
  }
  const entry: ReturnTransition = { from: ret.status, to, at: now, ...(by ? { by } : {}), ...(reason ? { reason } : {}) };
  return { ...ret, ...changes, status: to, version: ret.version + 1, updatedAt: now, history: [...ret.history, entry] };
}

/** Whether the return got to `status` at some point (it is there or went past it). */
const reached = (ret: Return, status: ReturnStatus) => ret.history.some((entry) => entry.to === status);

/** Approved by an operator or the policy; approving again changes nothing, approving a rejected or cancelled return is a 409. */
export function approveReturn(ret: Return, now: string, by?: Actor): Return {
  if (ret.status !== 'REQUESTED' && reached(ret, 'APPROVED')) return ret;
  return moved(ret, 'APPROVED', now, by);
}

/** The ledger without the return's units, for a return that gives them back. */
export function releasedLedger(ledger: ReturnLedger, ret: Return): ReturnLedger {
  const returned = { ...ledger.returned };
  for (const { sku, quantity } of ret.lines) returned[sku] = Math.max(0, (returned[sku] ?? 0) - quantity);
  return { ...ledger, returned };
}

/** Rejected by an operator (rejecting again changes nothing); its units can be returned again. */
export function rejectReturn(ret: Return, now: string, by?: Actor): Return {
  if (ret.status === 'REJECTED') return ret;
  return moved(ret, 'REJECTED', now, by);
}

/** Cancelled before its parcel moves (cancelling again changes nothing); its units can be returned again. */
export function cancelReturn(ret: Return, now: string, by?: Actor): Return {
  if (ret.status === 'CANCELLED') return ret;
  return moved(ret, 'CANCELLED', now, by);
}

/** Whether a change gives the return's units back to the ledger. */
export const releasesUnits = (before: Return, after: Return) => !RELEASING.includes(before.status) && RELEASING.includes(after.status);

/** The carrier's label for the parcel back; the same label again changes nothing. */
export function issueLabel(ret: Return, label: Omit<ReturnLabel, 'status' | 'statusAt'>, now: string, by?: Actor): Return {
  if (ret.label && ret.status !== 'APPROVED') return ret;
  return moved(ret, 'LABEL_ISSUED', now, by, { label });
}

/** Where a scan of the return parcel takes the return: on the way, or received at the warehouse. */
const RETURN_STATUS_OF_SCAN: Record<ParcelStatus, ReturnStatus> = {
  picked_up: 'IN_TRANSIT',
  in_transit: 'IN_TRANSIT',
  out_for_delivery: 'IN_TRANSIT',
  delivered: 'RECEIVED',
};

export type ReturnParcelOutcome = { applied: true; after: Return } | { applied: false; reason: string };

/**
 * A carrier's scan of the return parcel. Only forward moves apply: a repeated or late scan, one
 * for a return already received, or a delivery exception (the parcel is still on its way) is
 * stale and changes nothing.
 */
export function applyReturnScan(ret: Return, scan: { status: ParcelStatus | 'exception'; occurredAt: string }, now: string, by?: Actor): ReturnParcelOutcome {
  if (scan.status === 'exception') return { applied: false, reason: 'A return parcel exception is recorded with the carrier event only' };
  const to = RETURN_STATUS_OF_SCAN[scan.status];
  if (!canReturnTransition(ret.status, to) || !ret.label) {
    return { applied: false, reason: `Return ${ret.returnId} is ${ret.status}; a ${scan.status} scan does not move it` };
  }
  const label = { ...ret.label, status: scan.status, statusAt: scan.occurredAt };
  return { applied: true, after: moved(ret, to, now, by, { label }, `return parcel ${scan.status}`) };
}

const sameInspection = (a: readonly InspectedLine[], b: readonly InspectedLine[]) =>
  a.length === b.length && a.every((line) => b.some((other) => other.sku === line.sku && other.sellable === line.sellable && other.damaged === line.damaged));

/** Units to put back on hand: the sellable ones, each at the warehouse its line shipped from. */
export interface Restock {
  sku: string;
  warehouseId: string;
  quantity: number;
}

export type InspectionOutcome = { after: Return; restock: Restock[] } | { after: undefined; restock: [] };

/**
 * The inspection of a received return: every returned SKU once, sellable + damaged equal to the
 * units returned. The same inspection again changes nothing (`after` undefined); a different one
 * once inspected is a 409.
 */
export function inspectReturn(ret: Return, lines: readonly InspectedLine[], now: string, by?: Actor): InspectionOutcome {
  if (ret.inspection) {
    if (sameInspection(ret.inspection.lines, lines)) return { after: undefined, restock: [] };
    throw new IllegalReturnTransition(ret.status, `Return ${ret.returnId} was inspected with other figures`);
  }
  if (ret.status !== 'RECEIVED') throw new IllegalReturnTransition(ret.status, `A return in ${ret.status} cannot be inspected; it must be RECEIVED`);
  const issues: ReturnFieldIssue[] = [];
  lines.forEach((line, i) => {
    const returned = ret.lines.find((candidate) => candidate.sku === line.sku);
    if (!returned) issues.push({ path: `$.lines[${i}].sku`, message: `The return has no line of ${line.sku}` });
    else if (lines.findIndex((other) => other.sku === line.sku) !== i) issues.push({ path: `$.lines[${i}].sku`, message: `${line.sku} is listed twice` });
    else if (line.sellable + line.damaged !== returned.quantity) {
      issues.push({ path: `$.lines[${i}]`, message: `sellable + damaged must be the ${returned.quantity} unit(s) returned` });
    }
  });
  ret.lines.forEach((line) => {
    if (!lines.some((inspected) => inspected.sku === line.sku)) issues.push({ path: '$.lines', message: `${line.sku} is missing` });
  });
  if (issues.length > 0) throw new InvalidReturnRequest('The inspection does not match the return', issues);
  const inspection = { lines: lines.map(({ sku, sellable, damaged }) => ({ sku, sellable, damaged })) };
  const restock = ret.lines.flatMap(({ sku, warehouseId }) => {
    const sellable = lines.find((line) => line.sku === sku)!.sellable;
    return sellable > 0 ? [{ sku, warehouseId, quantity: sellable }] : [];
  });
  return { after: moved(ret, 'INSPECTED', now, by, { inspection }), restock };
}

/**
 * What the customer gets back, in minor units of the order's currency: each sellable unit at its
 * order unit price, and each damaged one too when the reason is the seller's fault (damaged on
 * arrival, defective, wrong item, not as described); damaged units of any other return are not refunded.
 */
export function refundOf(ret: Return, inspected: readonly InspectedLine[]): Refund {
  const damagedRefunded = SELLER_FAULT_REASONS.includes(ret.reasonCode);
  let amount = 0;
  let units = 0;
  for (const line of ret.lines) {
    const found = inspected.find((candidate) => candidate.sku === line.sku);
    const refunded = (found?.sellable ?? 0) + (damagedRefunded ? (found?.damaged ?? 0) : 0);
    amount += refunded * line.unitPrice;
    units += refunded;
  }
  return { amount, currency: ret.currency, units };
}

/** INSPECTED → REFUND_REQUESTED with the amount; asking again changes nothing. */
export function requestRefund(ret: Return, now: string, by?: Actor): Return {
  if (ret.refund) return ret;
  if (!ret.inspection) throw new IllegalReturnTransition(ret.status, `A return in ${ret.status} has no inspection to refund from`);
  return moved(ret, 'REFUND_REQUESTED', now, by, { refund: refundOf(ret, ret.inspection.lines) });
}

/** The payment partner confirmed the refund: REFUNDED. The same reference again changes nothing; another one is a 409. */
export function completeRefund(ret: Return, reference: string, now: string, by?: Actor): Return {
  if (ret.status === 'REFUNDED') {
    if (ret.refund?.reference === reference) return ret;
    throw new IllegalReturnTransition(ret.status, `Return ${ret.returnId} was refunded under another reference`);
  }
  if (ret.status !== 'REFUND_REQUESTED' || !ret.refund) {
    throw new IllegalReturnTransition(ret.status, `A return in ${ret.status} has no refund requested`);
  }
  return moved(ret, 'REFUNDED', now, by, { refund: { ...ret.refund, reference, refundedAt: now } });
}
