/**
 * The key list cursors are signed with. On AWS a generated Secrets Manager secret
 * (`CURSOR_SIGNING_KEY_SECRET_ID`), read through the secrets extension so its value never sits
 * in the function's configuration; locally, or wherever a secret store is not wanted, the
 * `CURSOR_SIGNING_KEY` variable itself (the local cloud keeps one in its data directory).
 */
import { secretFromExtension } from './secrets-extension.ts';

export function cursorSigningKeyFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const inline = env.CURSOR_SIGNING_KEY;
  if (inline !== undefined) return Promise.resolve(inline);
  const secretId = env.CURSOR_SIGNING_KEY_SECRET_ID;
  if (!secretId) throw new Error('Set CURSOR_SIGNING_KEY_SECRET_ID (a Secrets Manager secret) or CURSOR_SIGNING_KEY (the key itself)');
  return secretFromExtension(secretId, env);
}
