/** The answer every routing-policy route gives about one version: the version, when, the policy, and the version as ETag. */
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import type { StoredPolicy } from '../use-cases/ports.ts';
import { json, type HttpResult } from './http-handler.ts';
import { etagOf } from './preconditions.ts';

export function policyResponse(stored: StoredPolicy<RoutingPolicy | unknown>): HttpResult {
  const { version, updatedAt, document, activatedFrom } = stored;
  return json(200, { version, updatedAt, ...(activatedFrom === undefined ? {} : { activatedFrom }), policy: document }, { ETag: etagOf(version) });
}
