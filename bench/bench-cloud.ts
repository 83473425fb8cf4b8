/**
 * The local cloud the benches measure: in memory, without partners (the example partners'
 * endpoints do not exist, and their failing deliveries would be counted as the pipeline's work),
 * with the demo routing policy and plenty of stock for the SKUs the bench orders.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { SCOPES } from '../functions/http/access.ts';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../local/local-cloud.ts';
import { loadStack } from '../local/synth-cache.ts';

export const NO_PARTNERS = fileURLToPath(new URL('../test/fixtures/no-partners.json', import.meta.url));

/**
 * Starts the bench's local cloud (stage `bench`, a free port, every function started before the first
 * order so no figure includes a cold start) with `options` added; the bench's stack unless one is given.
 */
export async function startBenchCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const stack = options.stack ?? (await loadStack('bench', { partnersFile: NO_PARTNERS })).stack;
  return startLocalCloud({ port: 0, stage: 'bench', warmFunctions: true, ...options, stack });
}

/** An operator's PUT on the local cloud; anything but 2xx throws. */
export async function putAsOperator(cloud: LocalCloud, path: string, body: unknown): Promise<void> {
  const operator = `Bearer ${await cloud.issueToken({ scopes: [SCOPES.admin] })}`;
  const response = await fetch(`${cloud.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: operator },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
}

/** The demo routing policy, and 100,000 units of each SKU in two warehouses. */
export async function stockForBench(cloud: LocalCloud, skus: readonly string[]): Promise<void> {
  await putAsOperator(cloud, '/policies/routing', DEMO_ROUTING_POLICY_DOCUMENT);
  for (const sku of skus) await putAsOperator(cloud, `/inventory/${sku}`, { warehouses: { 'wh-shanghai': 100_000, 'wh-guangzhou': 100_000 } });
}
