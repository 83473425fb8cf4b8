/**
 * The local cloud of a test suite. Every suite gets its own cloud, but suites with the same partners
 * file share one synthesized stack per source state: under one stage and the cache `npm start` uses,
 * synthesis (tens of seconds of CPU) runs once, not once a suite. A cloud kept in memory creates its
 * tables, named after the cloud, in the run's DynamoDB Local rather than starting a JVM of its own
 * (about 7 s of CPU each); one with a data directory (restarts) keeps its own database there.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local/local-cloud.ts';
import type { SynthesizedStack, SynthesizeOptions } from '../../local/cloud-assembly.ts';
import { loadStack, SYNTH_CACHE_DIR } from '../../local/synth-cache.ts';

/** The stage of every suite that does not assert resource names of its own. */
export const TEST_STAGE = 'itest';

/** The pipeline alone: the example partners' endpoints do not exist (partners.test.ts covers partners). */
export const NO_PARTNERS = fileURLToPath(new URL('../fixtures/no-partners.json', import.meta.url));

/** The stack the suites' clouds run, for tests that read the template alone. */
export async function testStack(options: SynthesizeOptions = {}): Promise<SynthesizedStack> {
  return (await loadStack(TEST_STAGE, options, SYNTH_CACHE_DIR)).stack;
}

/** Where a cloud kept in memory puts its tables: the run's DynamoDB Local (if the run has one), under a name of its own. */
export function sharedDatabase(stage = TEST_STAGE): Pick<LocalCloudOptions, 'sharedDynamoDbEndpoint' | 'instanceName'> {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint) return {};
  return { sharedDynamoDbEndpoint: endpoint, instanceName: `OrderPipeline-${stage}-${randomBytes(4).toString('hex')}` };
}

export function startTestCloud(options: Omit<LocalCloudOptions, 'stage' | 'stack' | 'synthCacheDir'> = {}): Promise<LocalCloud> {
  return startLocalCloud({ port: 0, ...(options.dataDir ? {} : sharedDatabase()), ...options, stage: TEST_STAGE, synthCacheDir: SYNTH_CACHE_DIR });
}
