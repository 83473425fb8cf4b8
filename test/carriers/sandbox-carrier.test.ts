/** The sandbox carrier's three outcomes for a shipment request: success, failure, timeout. */
import { describe, expect, it } from 'vitest';
import { SandboxCarrier } from '../../functions/carriers/sandbox-carrier.ts';
import { TransientError } from '../../functions/domain/errors.ts';
import type { ParcelPlan } from '../../functions/domain/routing/decision.ts';

const parcel = { warehouseId: 'wh-shanghai', carrier: 'sf-express' } as ParcelPlan;
const request = (parcelId = 'ORDER-1') => ({ orderId: 'ORDER', parcelId, parcel });

describe('SandboxCarrier', () => {
  it('answers a shipment with a tracking number that is the same on every retry of the parcel', async () => {
    const carrier = new SandboxCarrier();
    const first = await carrier.requestShipment(request());
    expect(first).toMatchObject({ parcelId: 'ORDER-1', warehouseId: 'wh-shanghai', carrier: 'sf-express' });
    expect(first.trackingNumber).toMatch(/^SBX[0-9A-F]{12}$/);
    expect(await carrier.requestShipment(request())).toEqual(first);
    expect((await carrier.requestShipment(request('ORDER-2'))).trackingNumber).not.toBe(first.trackingNumber);
  });

  it('fails shipment requests at the failure rate, with a TransientError the workflow retries', async () => {
    const carrier = new SandboxCarrier({ failureRate: 1 });
    await expect(carrier.requestShipment(request())).rejects.toThrow(TransientError);
    await expect(carrier.requestShipment(request())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('injected failure') });
  });

  it('times out shipment requests at the timeout rate, after the timeout', async () => {
    const carrier = new SandboxCarrier({ timeoutRate: 1, timeoutMs: 50 });
    const started = Date.now();
    await expect(carrier.requestShipment(request())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('within 50 ms') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('reads its knobs from the environment', async () => {
    const failing = SandboxCarrier.fromEnvironment({ SANDBOX_CARRIER_TIMEOUT_RATE: '1', SANDBOX_CARRIER_TIMEOUT_MS: '10' });
    await expect(failing.requestShipment(request())).rejects.toThrow('within 10 ms');
  });

  it('cancels even when shipment requests fail, so compensation can run', async () => {
    await expect(new SandboxCarrier({ failureRate: 1, timeoutRate: 1 }).cancelShipment()).resolves.toBeUndefined();
  });
});
