import { PolicyVersionConflict, StaleVersion, VersionRequired } from '../domain/errors.ts';
import { rolloutArm, type Rollout } from '../domain/routing/rollout.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import type { PolicyCandidate, PolicyRepository, StoredPolicy } from './ports.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * The versions a change may replace: `any` version that is live, or one of those listed.
 * No policy at all counts as version 0.
 */
export type VersionCondition = 'any' | readonly number[];

const WHAT = 'routing policy';

function check(liveVersion: number | undefined, condition: VersionCondition | undefined, what = WHAT): void {
  if (condition === undefined) {
    // The first save has nothing to overwrite; every later one says what it replaces.
    if (liveVersion !== undefined) throw new VersionRequired(what, liveVersion);
    return;
  }
  const matches = condition === 'any' ? liveVersion !== undefined : condition.includes(liveVersion ?? 0);
  if (!matches) throw new StaleVersion(what, liveVersion ?? 0);
}

/**
 * Saves the next version of a policy (`what` names it in errors) if `condition` holds for the live
 * one; `versioned` stamps the version into the document when the policy carries it (the routing policy does).
 */
export async function savePolicyVersion<Document>(
  policies: PolicyRepository,
  now: string,
  what: string,
  versioned: (version: number) => Document,
  condition: VersionCondition | undefined,
  activatedFrom?: number,
): Promise<StoredPolicy<Document>> {
  const current = await policies.current<Document>();
  check(current?.version, condition, what);
  try {
    return await policies.save(versioned((current?.version ?? 0) + 1), current?.version, now, activatedFrom);
  } catch (error) {
    // Another save won the race: for a conditional save that is its condition failing.
    if (!(error instanceof PolicyVersionConflict) || condition === undefined) throw error;
    throw new StaleVersion(what, (await policies.current())?.version ?? 0);
  }
}

/**
 * Saves the next version of the routing policy if `condition` holds for the live one: a save
 * based on a version that is no longer live fails (StaleVersion), one that names none while a
 * policy exists fails (VersionRequired), and of two saves racing from the same version one wins.
 */
export async function saveRoutingPolicy(
  deps: Pick<Dependencies, 'policies' | 'now'>,
  policy: RoutingPolicy,
  condition: VersionCondition | undefined,
  activatedFrom?: number,
): Promise<StoredPolicy<RoutingPolicy>> {
  return savePolicyVersion(deps.policies, deps.now(), WHAT, (version) => ({ ...policy, version }), condition, activatedFrom);
}

/**
 * Makes an earlier version live again (a rollback) by saving its document as the next version,
 * under the same conditions as any save: history only grows, and the new version says which
 * one it re-activated. Undefined when there is no such version.
 */
export async function activateRoutingPolicyVersion(
  deps: Pick<Dependencies, 'policies' | 'now'>,
  version: number,
  condition: VersionCondition | undefined,
): Promise<StoredPolicy<RoutingPolicy> | undefined> {
  const earlier = await deps.policies.version<RoutingPolicy>(version);
  if (!earlier) return undefined;
  return saveRoutingPolicy(deps, earlier.document, condition, version);
}

/** A stage as the API shows it: the live version and the candidate beside it, without documents. */
export interface RoutingPolicyStage {
  live: number;
  candidate: { version: number; share: number; stagedAt: string } | null;
}

export function stageOf(live: number, candidate: PolicyCandidate<unknown> | undefined): RoutingPolicyStage {
  return { live, candidate: candidate ? { version: candidate.version, share: candidate.share, stagedAt: candidate.stagedAt } : null };
}

/**
 * Stages saved version `version` for `share` of orders beside the live one (replacing any stage),
 * under the same conditions on the live version as a save: the stage is measured against the
 * version the operator saw live. Undefined when there is no such version.
 */
export async function stageRoutingPolicyVersion(
  deps: Pick<Dependencies, 'policies' | 'now'>,
  version: number,
  share: number,
  condition: VersionCondition | undefined,
): Promise<RoutingPolicyStage | undefined> {
  const [live, staged] = await Promise.all([deps.policies.current<RoutingPolicy>(), deps.policies.version<RoutingPolicy>(version)]);
  if (!live || !staged) return undefined;
  check(live.version, condition);
  if (version === live.version) throw new PolicyVersionConflict(`Version ${version} is the live ${WHAT}: stage another version, or activate one`);
  const candidate = { version, share, stagedAt: deps.now(), document: staged.document };
  await stageBeside(deps, live.version, candidate);
  return stageOf(live.version, candidate);
}

/** Ends the stage: every order is routed under the live version again. Ending no stage changes nothing. */
export async function endRoutingPolicyStage(deps: Pick<Dependencies, 'policies'>): Promise<RoutingPolicyStage | undefined> {
  const live = await deps.policies.current<RoutingPolicy>();
  if (!live) return undefined;
  if (live.candidate) await stageBeside(deps, live.version, undefined);
  return stageOf(live.version, undefined);
}

async function stageBeside(deps: Pick<Dependencies, 'policies'>, live: number, candidate: PolicyCandidate<RoutingPolicy> | undefined): Promise<void> {
  try {
    await deps.policies.stage(live, candidate);
  } catch (error) {
    // A save landed in between: it ended the stage, and the live version the caller saw is gone.
    if (!(error instanceof PolicyVersionConflict)) throw error;
    throw new StaleVersion(WHAT, (await deps.policies.current())?.version ?? 0);
  }
}

/**
 * The policy that decides the order and the rollout it was decided under: while a version is
 * staged, the candidate for the orders its share's hash holds, the live one for the rest.
 */
export function policyForOrder(
  live: StoredPolicy<RoutingPolicy> | undefined,
  orderId: string,
): { policy: StoredPolicy<RoutingPolicy> | undefined; rollout?: Rollout } {
  const candidate = live?.candidate;
  if (!live || !candidate) return { policy: live };
  const arm = rolloutArm(orderId, candidate.share);
  const rollout: Rollout = { arm, share: candidate.share, candidateVersion: candidate.version, liveVersion: live.version };
  if (arm === 'live') return { policy: live, rollout };
  return { policy: { version: candidate.version, updatedAt: candidate.stagedAt, document: candidate.document }, rollout };
}
