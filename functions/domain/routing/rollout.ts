/**
 * A staged rollout of a routing policy: a candidate version decides a share of orders, the live
 * one the rest. Which arm an order is in depends only on its id, so every retry and re-drive of
 * the order routes under the same policy, and raising the share keeps every order already in
 * the candidate arm there (the arms are nested, not reshuffled).
 */
import { createHash } from 'node:crypto';

export const ROLLOUT_ARMS = ['live', 'candidate'] as const;
export type RolloutArm = (typeof ROLLOUT_ARMS)[number];

/** What a decision records about the rollout it was made under (absent when nothing was staged). */
export interface Rollout {
  arm: RolloutArm;
  share: number;
  candidateVersion: number;
  liveVersion: number;
}

/** The order's place in [0, 1): the first 32 bits of the SHA-256 of its id, spread evenly whatever the ids look like. */
export function rolloutPosition(orderId: string): number {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) / 2 ** 32;
}

/** The candidate arm holds the orders whose place is below the share. */
export function rolloutArm(orderId: string, share: number): RolloutArm {
  return rolloutPosition(orderId) < share ? 'candidate' : 'live';
}
