/**
 * The local cloud's cursor signing key (the deployed stack generates a Secrets Manager
 * secret): kept in the data directory so cursors survive a restart, or made per run in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function localCursorSigningKey(file: string | undefined): string {
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64url');
  if (file) writeFileSync(file, key, { mode: 0o600 });
  return key;
}
