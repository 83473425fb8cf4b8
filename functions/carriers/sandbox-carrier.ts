import { createHash } from 'node:crypto';
import { TransientError } from '../domain/errors.ts';
import type { ShippedParcel } from '../domain/order.ts';
import type { ParcelPlan } from '../domain/route-planner.ts';
import type { CarrierGateway } from './carrier-gateway.ts';

export interface SandboxCarrierOptions {
  /** Probability (0..1) that a call fails with a TransientError, to exercise retries and compensation. */
  failureRate?: number;
  /** Added latency per call, in milliseconds. */
  latencyMs?: number;
  random?: () => number;
}

/**
 * Stands in for every carrier the routing policy names (local runs, demos, tests).
 * It needs no network: tracking numbers derive from the parcel id,
 * so a repeated request returns the same shipment, as a real carrier's idempotent API would.
 */
export class SandboxCarrier implements CarrierGateway {
  private readonly failureRate: number;
  private readonly latencyMs: number;
  private readonly random: () => number;

  constructor(options: SandboxCarrierOptions = {}) {
    this.failureRate = options.failureRate ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    this.random = options.random ?? Math.random;
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SandboxCarrier {
    return new SandboxCarrier({
      failureRate: Number(env.SANDBOX_CARRIER_FAILURE_RATE ?? 0),
      latencyMs: Number(env.SANDBOX_CARRIER_LATENCY_MS ?? 0),
    });
  }

  async requestShipment({ parcelId, parcel }: { parcelId: string; parcel: ParcelPlan }): Promise<ShippedParcel> {
    await this.call();
    const digest = createHash('sha256').update(parcelId).digest('hex').slice(0, 12).toUpperCase();
    return { parcelId, warehouseId: parcel.warehouseId, carrier: parcel.carrier, trackingNumber: `SBX${digest}` };
  }

  async cancelShipment(): Promise<void> {
    await this.call();
  }

  private async call(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.random() < this.failureRate) throw new TransientError('Sandbox carrier is unavailable (injected failure)');
  }
}
