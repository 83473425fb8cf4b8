import { createHash } from 'node:crypto';
import { TransientError } from '../domain/errors.ts';
import type { ShippedParcel } from '../domain/order.ts';
import type { ParcelPlan } from '../domain/routing/decision.ts';
import type { ReturnLabel } from '../domain/returns.ts';
import type { CarrierGateway, ReturnLabelGateway } from '../use-cases/ports.ts';

export interface SandboxCarrierOptions {
  /** Probability (0..1) that a shipment request fails with a TransientError, to exercise retries and compensation. */
  failureRate?: number;
  /** Probability (0..1) that a shipment request gets no answer within `timeoutMs`. */
  timeoutRate?: number;
  /**
   * How long the adapter waits for the carrier before giving up with a TransientError.
   * Below the step function's 20 s timeout, so a hung carrier is a retried step, not a killed one.
   */
  timeoutMs?: number;
  /** Added latency per call, in milliseconds. */
  latencyMs?: number;
  random?: () => number;
}

/**
 * Stands in for every carrier the routing policy names (local runs, demos, tests).
 * It needs no network: tracking numbers derive from the parcel id,
 * so a repeated request returns the same shipment, as a real carrier's idempotent API would.
 *
 * Failures and timeouts are injected into shipment requests only: cancellation is the
 * compensation, and a carrier that refused every cancel would leave each failed order to an
 * operator instead of exercising the undo path these knobs are for.
 */
export class SandboxCarrier implements CarrierGateway, ReturnLabelGateway {
  private readonly failureRate: number;
  private readonly timeoutRate: number;
  private readonly timeoutMs: number;
  private readonly latencyMs: number;
  private readonly random: () => number;

  constructor(options: SandboxCarrierOptions = {}) {
    this.failureRate = options.failureRate ?? 0;
    this.timeoutRate = options.timeoutRate ?? 0;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.latencyMs = options.latencyMs ?? 0;
    this.random = options.random ?? Math.random;
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SandboxCarrier {
    return new SandboxCarrier({
      failureRate: Number(env.SANDBOX_CARRIER_FAILURE_RATE ?? 0),
      timeoutRate: Number(env.SANDBOX_CARRIER_TIMEOUT_RATE ?? 0),
      timeoutMs: Number(env.SANDBOX_CARRIER_TIMEOUT_MS ?? 5_000),
      latencyMs: Number(env.SANDBOX_CARRIER_LATENCY_MS ?? 0),
    });
  }

  async requestShipment({ parcelId, parcel }: { parcelId: string; parcel: ParcelPlan }): Promise<ShippedParcel> {
    if (this.random() < this.timeoutRate) {
      // Whether the carrier created the shipment is unknown after a timeout: the retry reuses the
      // parcel id, which the carrier deduplicates on, and compensation cancels it if it exists.
      await sleep(this.timeoutMs);
      throw new TransientError(`Sandbox carrier did not answer within ${this.timeoutMs} ms (injected timeout)`);
    }
    await sleep(this.latencyMs);
    if (this.random() < this.failureRate) throw new TransientError('Sandbox carrier is unavailable (injected failure)');
    return { parcelId, warehouseId: parcel.warehouseId, carrier: parcel.carrier, trackingNumber: `SBX${trackingDigest(parcelId)}` };
  }

  async cancelShipment(): Promise<void> {
    await sleep(this.latencyMs);
  }

  /**
   * A return label: tracking numbers `SBR…` from the parcel id, so a repeated request answers the
   * same label. Failures are injected here too (the return stays APPROVED, and approving it again
   * asks again).
   */
  async createReturnLabel({ parcelId, carrier, warehouseId }: { parcelId: string; carrier: string; warehouseId: string }): Promise<Omit<ReturnLabel, 'status' | 'statusAt'>> {
    await sleep(this.latencyMs);
    if (this.random() < this.failureRate) throw new TransientError('Sandbox carrier is unavailable (injected failure)');
    return { carrier, trackingNumber: `SBR${trackingDigest(parcelId)}`, parcelId, warehouseId };
  }
}

/** The sandbox's tracking numbers derive from the parcel id: the same parcel, the same number. */
const trackingDigest = (parcelId: string) => createHash('sha256').update(parcelId).digest('hex').slice(0, 12).toUpperCase();

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
