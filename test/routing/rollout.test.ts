/** The staged rollout's split: by a hash of the order id, deterministic, close to the share, nested as the share grows. */
import { describe, expect, it } from 'vitest';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import { rolloutArm, rolloutPosition } from '../../functions/domain/routing/rollout.ts';
import { policyForOrder } from '../../functions/use-cases/routing-policy.ts';

const ids = Array.from({ length: 20_000 }, (_, i) => `ord-${i.toString(36)}-${(i * 7919) % 10007}`);

describe('the rollout split', () => {
  it('puts the same order in the same arm every time', () => {
    for (const id of ids.slice(0, 200)) expect(rolloutArm(id, 0.3)).toBe(rolloutArm(id, 0.3));
    expect(rolloutPosition('ord-fixed')).toBe(rolloutPosition('ord-fixed'));
  });

  it('respects the share within a tolerance over many ids, however alike the ids are', () => {
    for (const share of [0.01, 0.1, 0.5, 0.9]) {
      const inCandidate = ids.filter((id) => rolloutArm(id, share) === 'candidate').length / ids.length;
      // Binomial standard deviation at n = 20,000 is at most 0.0036: five of them.
      expect(Math.abs(inCandidate - share)).toBeLessThan(0.018);
    }
  });

  it('keeps every order of a smaller share in the candidate arm when the share grows', () => {
    const at10 = ids.filter((id) => rolloutArm(id, 0.1) === 'candidate');
    expect(at10.every((id) => rolloutArm(id, 0.5) === 'candidate')).toBe(true);
  });

  it('places ids in [0, 1)', () => {
    const positions = ids.map(rolloutPosition);
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...positions)).toBeLessThan(1);
  });
});

describe('the policy an order is routed under', () => {
  const live = { version: 4, updatedAt: '2026-12-04T10:00:00.000Z', document: DEMO_ROUTING_POLICY };
  const candidateDocument = { ...DEMO_ROUTING_POLICY, description: 'candidate' };
  const staged = { ...live, candidate: { version: 3, share: 0.5, stagedAt: '2026-12-04T11:00:00.000Z', document: candidateDocument } };

  it('is the live one, with no rollout, while nothing is staged', () => {
    expect(policyForOrder(live, 'ord-1')).toEqual({ policy: live });
    expect(policyForOrder(undefined, 'ord-1')).toEqual({ policy: undefined });
  });

  it("is the candidate's for the orders its share holds and the live one for the rest, each naming its arm", () => {
    const candidateId = ids.find((id) => rolloutArm(id, 0.5) === 'candidate')!;
    const liveId = ids.find((id) => rolloutArm(id, 0.5) === 'live')!;
    const inCandidate = policyForOrder(staged, candidateId);
    expect(inCandidate.policy).toMatchObject({ version: 3, document: { description: 'candidate' } });
    expect(inCandidate.rollout).toEqual({ arm: 'candidate', share: 0.5, candidateVersion: 3, liveVersion: 4 });
    const inLive = policyForOrder(staged, liveId);
    expect(inLive.policy).toBe(staged);
    expect(inLive.rollout).toEqual({ arm: 'live', share: 0.5, candidateVersion: 3, liveVersion: 4 });
  });
});
