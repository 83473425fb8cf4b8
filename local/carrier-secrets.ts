/**
 * The carrier callback secrets of the local cloud. Well known, one per carrier of the demo
 * routing policy, so the README's signed examples work as pasted; `CARRIER_WEBHOOK_SECRETS`
 * (the same JSON document as the deployed secret) replaces them.
 */
import { DEMO_ROUTING_POLICY_DOCUMENT } from '../functions/domain/routing/demo-routing-policy.ts';
import { parseCarrierSecrets } from '../functions/carriers/carrier-secrets.ts';

export const localCarrierSecretOf = (carrierId: string) => `local-${carrierId}-webhook-secret`;

/** The secrets document the local functions get, as JSON. */
export function localCarrierSecretsDocument(env: NodeJS.ProcessEnv = process.env): string {
  return env.CARRIER_WEBHOOK_SECRETS ?? JSON.stringify(
    Object.fromEntries(DEMO_ROUTING_POLICY_DOCUMENT.carriers.map((carrier) => [carrier.id, localCarrierSecretOf(carrier.id)])),
  );
}

/** The secret to sign a callback from `carrierId` with: the first one when it has a rotation list. */
export function localCarrierSecret(carrierId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parseCarrierSecrets(localCarrierSecretsDocument(env)).get(carrierId)?.[0];
}
