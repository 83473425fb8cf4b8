/**
 * GET/PUT /policies/routing through the real handlers against DynamoDB Local:
 * versions, precise refusals that keep the live policy, optimistic concurrency, and the
 * version list with rollback (activate an earlier version), and staged rollouts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as getPolicy } from '../../functions/api/get-routing-policy.ts';
import { handler as putPolicy } from '../../functions/api/put-routing-policy.ts';
import { handler as listVersions } from '../../functions/api/list-routing-policy-versions.ts';
import { handler as activateVersion } from '../../functions/api/activate-routing-policy-version.ts';
import { handler as stageVersion } from '../../functions/api/stage-routing-policy-version.ts';
import { handler as endStage } from '../../functions/api/end-routing-policy-stage.ts';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../../functions/domain/routing/demo-routing-policy.ts';
import { useLocalTableForHandlers } from '../support/dynamodb.ts';
import { invoke } from '../support/http-event.ts';

beforeAll(async () => {
  await useLocalTableForHandlers('routing-policy', { seedRoutingPolicy: false });
});

const get = () => invoke(getPolicy, { method: 'GET', path: '/policies/routing' });
const put = (body: unknown, headers: Record<string, string> = {}) =>
  invoke(putPolicy, { method: 'PUT', path: '/policies/routing', body: body as object, headers });

describe('routing policy endpoints', () => {
  it('answers 404 before any policy is saved, then versions every save', async () => {
    expect((await get()).status).toBe(404);
    const first = await put(DEMO_ROUTING_POLICY_DOCUMENT);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, policy: { description: DEMO_ROUTING_POLICY_DOCUMENT.description } });
    expect(first.headers.ETag).toBe('"1"');
    const second = await put({ ...DEMO_ROUTING_POLICY_DOCUMENT, description: 'peak season weights' }, { 'If-Match': first.headers.ETag! });
    expect(second.body.version).toBe(2);
    const live = await get();
    expect(live.body).toMatchObject({ version: 2, policy: { description: 'peak season weights', version: 2 } });
  });

  it('refuses an invalid policy with the failing paths, and keeps the live one', async () => {
    const before = (await get()).body;
    const broken = {
      ...DEMO_ROUTING_POLICY_DOCUMENT,
      weights: { ...DEMO_ROUTING_POLICY_DOCUMENT.weights, factors: { ...DEMO_ROUTING_POLICY_DOCUMENT.weights.factors, cost: -1 } },
      rules: [{ name: 'ghost', conditions: { all: [] }, event: { type: 'require-carrier', params: { carrier: 'no-such-carrier' } } }],
    };
    const response = await put(broken);
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    const paths = response.body.errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['$.weights.factors.cost']));
    expect(paths.some((path: string) => path.startsWith('$.rules[0]'))).toBe(true);
    expect((await get()).body).toEqual(before);
  });

  it('refuses a save based on a version that is no longer live (If-Match)', async () => {
    const live = (await get()).body.version as number;
    const stale = await put(DEMO_ROUTING_POLICY_DOCUMENT, { 'If-Match': `"${live - 1}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.type).toBe('/problems/precondition-failed');
    const fresh = await put(DEMO_ROUTING_POLICY_DOCUMENT, { 'If-Match': `"${live}"` });
    expect(fresh.body.version).toBe(live + 1);
  });

  it('lets only one of two concurrent saves based on the same version win', async () => {
    const live = (await get()).body.version as number;
    const ifMatch = { 'If-Match': `"${live}"` };
    const responses = await Promise.all([put(DEMO_ROUTING_POLICY_DOCUMENT, ifMatch), put(DEMO_ROUTING_POLICY_DOCUMENT, ifMatch)]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
  });

  it('answers GET with the live version as ETag', async () => {
    const live = await get();
    expect(live.headers.ETag).toBe(`"${live.body.version}"`);
  });

  it('answers a stale If-Match with 412, and keeps the live policy', async () => {
    const before = (await get()).body;
    const stale = await put({ ...DEMO_ROUTING_POLICY_DOCUMENT, description: 'stale' }, { 'If-Match': `"${before.version - 1}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.type).toBe('/problems/precondition-failed');
    expect(stale.headers.ETag).toBe(`"${before.version}"`);
    expect((await get()).body).toEqual(before);
  });

  it('honours If-Match: * (any live version) and a weak or listed ETag', async () => {
    const live = (await get()).body.version as number;
    const any = await put(DEMO_ROUTING_POLICY_DOCUMENT, { 'If-Match': '*' });
    expect(any.status).toBe(200);
    expect(any.body.version).toBe(live + 1);
    const listed = await put(DEMO_ROUTING_POLICY_DOCUMENT, { 'If-Match': `"0", W/"${live + 1}"` });
    expect(listed.status).toBe(200);
    expect(listed.body.version).toBe(live + 2);
  });

  it('answers a save without If-Match with 428 once a policy exists', async () => {
    const before = (await get()).body;
    const response = await put(DEMO_ROUTING_POLICY_DOCUMENT);
    expect(response.status).toBe(428);
    expect(response.body.type).toBe('/problems/precondition-required');
    expect((await get()).body).toEqual(before);
  });
});

describe('routing policy versions and rollback', () => {
  const versions = () => invoke(listVersions, { method: 'GET', path: '/policies/routing/versions' });
  const activate = (version: string, headers: Record<string, string> = {}) =>
    invoke(activateVersion, { method: 'POST', path: `/policies/routing/versions/${version}/activate`, pathParameters: { version }, headers });

  it('lists every version newest first, and rolls back to an earlier one as the next version', async () => {
    const changed = await put({ ...DEMO_ROUTING_POLICY_DOCUMENT, description: 'a change to roll back' }, { 'If-Match': '*' });
    const live = changed.body.version as number;
    const listed = await versions();
    expect(listed.body.live).toBe(live);
    expect(listed.body.items.map((item: { version: number }) => item.version)).toEqual(Array.from({ length: live }, (_, i) => live - i));

    const rolledBack = await activate('1', { 'If-Match': `"${live}"` });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ version: live + 1, activatedFrom: 1, policy: { description: DEMO_ROUTING_POLICY_DOCUMENT.description } });
    expect(rolledBack.headers.ETag).toBe(`"${live + 1}"`);
    expect((await get()).body).toMatchObject({ version: live + 1, activatedFrom: 1, policy: { description: DEMO_ROUTING_POLICY_DOCUMENT.description } });
    expect((await versions()).body.items[0]).toMatchObject({ version: live + 1, activatedFrom: 1 });
  });

  it('refuses a rollback from a stale version, to a version that does not exist, or to no version at all, changing nothing', async () => {
    const before = (await get()).body;
    expect((await activate('1', { 'If-Match': `"${before.version - 1}"` })).status).toBe(412);
    expect((await activate('1')).status).toBe(428);
    expect((await activate('999', { 'If-Match': '*' })).status).toBe(404);
    const invalid = await activate('first', { 'If-Match': '*' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].path).toBe('$');
    expect((await get()).body).toEqual(before);
  });
});

describe('staged rollout', () => {
  const versions = () => invoke(listVersions, { method: 'GET', path: '/policies/routing/versions' });
  const stage = (version: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(stageVersion, { method: 'POST', path: `/policies/routing/versions/${version}/stage`, pathParameters: { version }, body: body as object, headers });
  const end = () => invoke(endStage, { method: 'DELETE', path: '/policies/routing/candidate' });

  it('stages a saved version for a share beside the live one, shows it in the versions, and ends it', async () => {
    const live = (await get()).body.version as number;
    const staged = await stage('1', { share: 0.25 }, { 'If-Match': `"${live}"` });
    expect(staged.status).toBe(200);
    expect(staged.body).toEqual({ live, candidate: { version: 1, share: 0.25, stagedAt: expect.any(String) } });
    expect((await versions()).body).toMatchObject({ live, candidate: { version: 1, share: 0.25 } });
    // The live policy as GET shows it is unchanged, and carries no candidate document.
    expect((await get()).body).not.toHaveProperty('candidate');

    const ended = await end();
    expect(ended).toMatchObject({ status: 200, body: { live, candidate: null } });
    expect((await versions()).body.candidate).toBeNull();
    expect((await end()).body).toEqual({ live, candidate: null });
  });

  it('refuses a stage from a stale or missing If-Match, of an unknown or the live version, or with a share outside (0, 1)', async () => {
    const live = (await get()).body.version as number;
    expect((await stage('1', { share: 0.5 }, { 'If-Match': `"${live - 1}"` })).status).toBe(412);
    expect((await stage('1', { share: 0.5 })).status).toBe(428);
    expect((await stage('999', { share: 0.5 }, { 'If-Match': '*' })).status).toBe(404);
    expect((await stage(String(live), { share: 0.5 }, { 'If-Match': '*' })).body).toMatchObject({ status: 409, detail: expect.stringContaining('live') });
    for (const share of [0, 1, -0.1, '0.5']) {
      const refused = await stage('1', { share }, { 'If-Match': '*' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].path).toBe('$.share');
    }
    expect((await versions()).body.candidate).toBeNull();
  });

  it('ends when a new version is saved: the candidate was measured against the live one it was staged beside', async () => {
    expect((await stage('1', { share: 0.5 }, { 'If-Match': '*' })).status).toBe(200);
    expect((await put(DEMO_ROUTING_POLICY_DOCUMENT, { 'If-Match': '*' })).status).toBe(200);
    expect((await versions()).body.candidate).toBeNull();
  });
});
