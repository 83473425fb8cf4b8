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
