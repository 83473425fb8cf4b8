/**
 * Errors the domain raises. Each `name` is part of the contract: Step Functions
 * matches Retry and Catch clauses on it, and the HTTP edge maps it to a status.
 */
export class DomainError extends Error {
  override name = 'DomainError';
}

/** Not enough available-to-promise stock for at least one line. */
export class OutOfStock extends DomainError {
  override name = 'OutOfStock';
  readonly skus: string[];
  constructor(skus: string[]) {
    super(`Not enough stock for ${skus.join(', ')}`);
    this.skus = skus;
  }
}

/** No warehouse can fill the order. */
export class NoRoute extends DomainError {
  override name = 'NoRoute';
}

/** The order was cancelled while the workflow was working on it. */
export class OrderCancelled extends DomainError {
  override name = 'OrderCancelled';
}

/**
 * The reconciler gave up on the order after re-driving it as often as it may: the step that
 * would move it on fails instead, so the workflow compensates and closes it as FAILED.
 */
export class Stranded extends DomainError {
  override name = 'Stranded';
}

/** Compensation of the order has begun (another execution failed); this one stops and compensates too. */
export class OrderCompensating extends DomainError {
  override name = 'OrderCompensating';
}

/** The requested status change is not allowed from the order's current status. */
export class IllegalTransition extends DomainError {
  override name = 'IllegalTransition';
  readonly from: string;
  readonly to: string;
  constructor(from: string, to: string) {
    super(`An order cannot go from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** A change to the order that its status no longer allows (e.g. a new address once it is routed). */
export class OrderNotAmendable extends DomainError {
  override name = 'OrderNotAmendable';
  readonly status: string;
  constructor(status: string, what: string) {
    super(`An order in ${status} can no longer change ${what}`);
    this.status = status;
  }
}

export class OrderNotFound extends DomainError {
  override name = 'OrderNotFound';
  constructor(orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

/** No parcel of ours has this tracking number (yet: a carrier may call back before the request is recorded). */
export class UnknownShipment extends DomainError {
  override name = 'UnknownShipment';
}

/** A stock change would leave a counter negative (e.g. on-hand set below what is allocated). */
export class InventoryConflict extends DomainError {
  override name = 'InventoryConflict';
}

/** A retry is likely to succeed (write conflict, throttling). The workflow retries these with backoff. */
export class TransientError extends DomainError {
  override name = 'TransientError';
}

/** A list cursor that this API did not issue for this query (another channel, status or page size, or edited). */
export class InvalidCursor extends DomainError {
  override name = 'InvalidCursor';
}

/** No stock is recorded for the SKU. */
export class UnknownSku extends DomainError {
  override name = 'UnknownSku';
  constructor(sku: string) {
    super(`No inventory is recorded for ${sku}`);
  }
}

/** The SKU is not stocked at the warehouse, so there is no count to adjust. */
export class UnknownWarehouse extends DomainError {
  override name = 'UnknownWarehouse';
  readonly warehouseId: string;
  constructor(sku: string, warehouseId: string) {
    super(`${sku} is not stocked at ${warehouseId}; set its on-hand count with PUT /inventory/${sku} first`);
    this.warehouseId = warehouseId;
  }
}

/** A change was based on a version that is no longer the live one. */
export class StaleVersion extends DomainError {
  override name = 'StaleVersion';
  readonly liveVersion: number;
  constructor(what: string, liveVersion: number) {
    super(`The live ${what} is version ${liveVersion}; read it again and send its version`);
    this.liveVersion = liveVersion;
  }
}

/** A change to something that exists must name the version it was based on. */
export class VersionRequired extends DomainError {
  override name = 'VersionRequired';
  readonly liveVersion: number;
  constructor(what: string, liveVersion: number) {
    super(`The ${what} exists (version ${liveVersion}); send the version the change is based on`);
    this.liveVersion = liveVersion;
  }
}

/** The same idempotency key (natural or header) was used before with a different request. */
export class IdempotencyConflict extends DomainError {
  override name = 'IdempotencyConflict';
  readonly orderId: string;
  constructor(orderId: string) {
    super('This key was already used for a different order request');
    this.orderId = orderId;
  }
}

/** Someone saved another version since the one this change was based on. */
export class PolicyVersionConflict extends DomainError {
  override name = 'PolicyVersionConflict';
}

/** An operator asked to retry an order that is neither stranded past its deadline nor released from a hold. */
export class NotRetryable extends DomainError {
  override name = 'NotRetryable';
  readonly status: string;
  constructor(status: string, detail: string) {
    super(detail);
    this.status = status;
  }
}

/** A payment report that contradicts the decision the order already has (another outcome, another reference, or a cancellation). */
export class PaymentAlreadyDecided extends DomainError {
  override name = 'PaymentAlreadyDecided';
  readonly status: string;
  readonly decision: string;
  constructor(status: string, decision: string, detail: string) {
    super(detail);
    this.status = status;
    this.decision = decision;
  }
}

/** Where a return request or an inspection fails: `path` is the JSONPath of the field in the request body. */
export interface ReturnFieldIssue {
  path: string;
  message: string;
}

/** A return request or inspection that does not fit the order or the return (a SKU not on it, units that do not add up): a 400 naming the fields. */
export class InvalidReturnRequest extends DomainError {
  override name = 'InvalidReturnRequest';
  readonly issues: ReturnFieldIssue[];
  constructor(detail: string, issues: ReturnFieldIssue[]) {
    super(detail);
    this.issues = issues;
  }
}

/**
 * A return the order or the return policy does not allow now: not delivered, past the window, a
 * non-returnable product, more units than are left to return. `issues` names the lines when it is about them.
 */
export class ReturnNotAllowed extends DomainError {
  override name = 'ReturnNotAllowed';
  readonly issues: ReturnFieldIssue[];
  constructor(detail: string, issues: ReturnFieldIssue[] = []) {
    super(detail);
    this.issues = issues;
  }
}

export class ReturnNotFound extends DomainError {
  override name = 'ReturnNotFound';
  constructor(returnId: string) {
    super(`Return ${returnId} does not exist`);
  }
}

/** The requested change is not allowed from the return's current status, or contradicts what was recorded. */
export class IllegalReturnTransition extends DomainError {
  override name = 'IllegalReturnTransition';
  readonly status: string;
  constructor(status: string, detail: string) {
    super(detail);
    this.status = status;
  }
}

/** An event that does not match its published schema: it must not reach partners. */
export class EventContractBroken extends DomainError {
  override name = 'EventContractBroken';
  /** Where and how, without the offending values (they may be personal data). */
  readonly issues: string[];
  constructor(type: string, issues: string[]) {
    super(`${type} breaks its schema: ${issues.join('; ')}`);
    this.issues = issues;
  }
}
