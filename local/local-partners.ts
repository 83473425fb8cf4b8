/**
 * Which partners of a partners file the local cloud runs. A partner whose connection needs a
 * secret runs only when the local secrets file holds that secret: without it every delivery
 * would fail (after its retries, into the partner's DLQ), which is all a first `npm start`
 * would show of the example partners. Partners without a secret (another account's bus) always run.
 */
import { readFileSync } from 'node:fs';
import type { LocalSecrets } from './eventbridge/api-destination.ts';

interface PartnerEntry {
  name?: unknown;
  target?: { auth?: { secretName?: unknown } };
}

export interface LocalPartners {
  /** The partners file with only the partners that run. */
  document: { partners: unknown[] } & Record<string, unknown>;
  enabled: string[];
  /** Partners left out, with the secret they wait for. */
  disabled: Array<{ name: string; secretName: string }>;
}

export function localPartners(partnersFile: string, secrets: LocalSecrets): LocalPartners {
  const document = JSON.parse(readFileSync(partnersFile, 'utf8')) as { partners?: PartnerEntry[] } & Record<string, unknown>;
  // Left as it is, synthesis reports what is wrong with it.
  if (!Array.isArray(document.partners)) return { document, enabled: [], disabled: [] } as LocalPartners;
  const partners = document.partners;
  const secretOf = (partner: PartnerEntry) => partner.target?.auth?.secretName;
  const runs = (partner: PartnerEntry) => typeof secretOf(partner) !== 'string' || secrets[secretOf(partner) as string] !== undefined;
  return {
    document: { ...document, partners: partners.filter(runs) },
    enabled: partners.filter(runs).map((partner) => String(partner.name)),
    disabled: partners.filter((partner) => !runs(partner)).map((partner) => ({ name: String(partner.name), secretName: String(secretOf(partner)) })),
  };
}
