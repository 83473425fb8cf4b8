import { PolicyVersionConflict, StaleVersion, VersionRequired } from '../domain/errors.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import type { StoredPolicy } from './ports.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * The versions a change may replace: `any` version that is live, or one of those listed.
 * No policy at all counts as version 0.
 */
export type VersionCondition = 'any' | readonly number[];

const WHAT = 'routing policy';

function check(liveVersion: number | undefined, condition: VersionCondition | undefined): void {
  if (condition === undefined) {
    // The first save has nothing to overwrite; every later one says what it replaces.
    if (liveVersion !== undefined) throw new VersionRequired(WHAT, liveVersion);
    return;
  }
  const matches = condition === 'any' ? liveVersion !== undefined : condition.includes(liveVersion ?? 0);
  if (!matches) throw new StaleVersion(WHAT, liveVersion ?? 0);
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
  const current = await deps.policies.current<RoutingPolicy>();
  check(current?.version, condition);
  try {
    return await deps.policies.save({ ...policy, version: (current?.version ?? 0) + 1 }, current?.version, deps.now(), activatedFrom);
  } catch (error) {
    // Another save won the race: for a conditional save that is its condition failing.
    if (!(error instanceof PolicyVersionConflict) || condition === undefined) throw error;
    throw new StaleVersion(WHAT, (await deps.policies.current())?.version ?? 0);
  }
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
