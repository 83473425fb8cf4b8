/**
 * The secrets carriers sign their callbacks with, one JSON document for all carriers:
 *
 *   { "sf-express": "<secret>", "coldlink": ["<new secret>", "<old secret>"] }
 *
 * A list holds the secrets accepted during a rotation. On AWS the document is a Secrets
 * Manager secret (`CARRIER_WEBHOOK_SECRET_ID`); locally, or wherever a secret store is not
 * wanted, it is the `CARRIER_WEBHOOK_SECRETS` variable itself.
 */
import * as z from 'zod';
import { secretFromExtension } from '../secrets/secrets-extension.ts';

export interface CarrierSecrets {
  /** The secrets a callback from this carrier may be signed with; none for a carrier we do not know. */
  secretsFor(carrierId: string): Promise<readonly string[]>;
}

// An HMAC key shorter than this is guessable offline from one signed callback.
const secret = z.string().min(16, 'A webhook secret needs at least 16 characters');
const documentSchema = z.record(z.string(), z.union([secret, z.array(secret).min(1)]));

export function parseCarrierSecrets(text: string): Map<string, readonly string[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('The carrier webhook secrets are not a JSON object');
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`The carrier webhook secrets are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return new Map(Object.entries(parsed.data).map(([carrierId, value]) => [carrierId, typeof value === 'string' ? [value] : value]));
}

/**
 * Reads the document through `load` and reuses it for `ttlMs`: short enough that a rotated
 * or newly added carrier secret applies within minutes, long enough that a burst of callbacks
 * does not read the secret store once each.
 */
export function cachedCarrierSecrets(load: () => Promise<string>, ttlMs: number, clock: () => number = Date.now): CarrierSecrets {
  let cached: { at: number; secrets: Promise<Map<string, readonly string[]>> } | undefined;
  return {
    async secretsFor(carrierId) {
      if (!cached || clock() - cached.at >= ttlMs) {
        const secrets = load().then(parseCarrierSecrets);
        cached = { at: clock(), secrets };
        // A failed read is not kept: the next callback tries again.
        secrets.catch(() => {
          if (cached?.secrets === secrets) cached = undefined;
        });
      }
      return (await cached.secrets).get(carrierId) ?? [];
    },
  };
}

export function carrierSecretsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CarrierSecrets {
  const ttlMs = Number(env.CARRIER_WEBHOOK_SECRETS_CACHE_SECONDS ?? 60) * 1000;
  const inline = env.CARRIER_WEBHOOK_SECRETS;
  if (inline !== undefined) return cachedCarrierSecrets(async () => inline, ttlMs);
  const secretId = env.CARRIER_WEBHOOK_SECRET_ID;
  if (!secretId) throw new Error('Set CARRIER_WEBHOOK_SECRET_ID (a Secrets Manager secret) or CARRIER_WEBHOOK_SECRETS (the JSON itself)');
  return cachedCarrierSecrets(() => secretFromExtension(secretId, env), ttlMs);
}
