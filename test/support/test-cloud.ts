/**
 * The local cloud of a test suite. Every suite gets its own cloud (DynamoDB Local included), but
 * suites with the same partners file share one synthesized stack per source state: under one stage
 * and the cache `npm start` uses, synthesis (tens of seconds of CPU) runs once, not once a suite.
 */
import { fileURLToPath } from 'node:url';
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

export function startTestCloud(options: Omit<LocalCloudOptions, 'stage' | 'stack' | 'synthCacheDir'> = {}): Promise<LocalCloud> {
  return startLocalCloud({ port: 0, ...options, stage: TEST_STAGE, synthCacheDir: SYNTH_CACHE_DIR });
}
