/**
 * Who sent a carrier callback: the carrier whose secret signed its raw body. The callback
 * route has no authorizer, so nothing in the body is read before this passes.
 */
import { DomainError } from '../domain/errors.ts';
import { metrics } from '../observability.ts';
import type { CarrierSecrets } from './carrier-secrets.ts';
import { verifyCarrierSignature } from './webhook-signature.ts';

/** No callback secret is configured for the carrier. */
export class UnknownCarrier extends DomainError {
  override name = 'UnknownCarrier';
  readonly carrierId: string;
  constructor(carrierId: string) {
    super(`No callback secret is configured for carrier ${carrierId}`);
    this.carrierId = carrierId;
  }
}

/** The signature is missing, malformed, stale, from the future or not the carrier's. */
export class InvalidSignature extends DomainError {
  override name = 'InvalidSignature';
}

export interface Callback {
  carrierId: string;
  /** The signature header as sent. */
  signature: string | undefined;
  rawBody: Buffer;
}

export async function authenticateCallback(secrets: CarrierSecrets, callback: Callback, nowSeconds: number): Promise<void> {
  const carrierSecrets = await secrets.secretsFor(callback.carrierId);
  // Carrier ids are not secret (the routing policy and OrderRouted events name them), so saying so
  // tells an integrator their URL is wrong rather than leaving them to doubt their signature.
  if (carrierSecrets.length === 0) throw new UnknownCarrier(callback.carrierId);
  const check = verifyCarrierSignature({ header: callback.signature, rawBody: callback.rawBody, secrets: carrierSecrets, nowSeconds });
  if (!check.valid) {
    metrics.addMetric('CarrierCallbacksRefused', 'Count', 1);
    throw new InvalidSignature(check.reason);
  }
}
