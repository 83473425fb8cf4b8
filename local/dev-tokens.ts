/**
 * The local cloud's stand-in for an identity provider: an RSA signing key (kept in the
 * data directory, so tokens survive a restart) and tokens signed with it for the
 * issuer and audience the synthesized app's JWT authorizer expects.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { CHANNEL_CLAIM } from '../functions/http/access.ts';

const ALGORITHM = 'RS256';

export interface LocalSigningKey {
  /** Signs tokens; never leaves this machine. */
  privateJwk: JWK;
  /** What the local authorizer verifies with, as an issuer would publish it at its `jwks_uri`. */
  jwks: JWTVerifyGetKey;
}

async function fromJwk(privateJwk: JWK): Promise<LocalSigningKey> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return { privateJwk, jwks: createLocalJWKSet({ keys: [publicJwk] }) };
}

/** A new key, or the one in `file` when it exists (written there when it did not). */
export async function loadOrCreateSigningKey(file?: string): Promise<LocalSigningKey> {
  if (file && existsSync(file)) return fromJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK);
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: ALGORITHM, use: 'sig' };
  if (file) writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  return fromJwk(privateJwk);
}

export interface TokenRequest {
  issuer: string;
  audience: string | string[];
  scopes: string[];
  /** The channel the token acts for; none for an operator's token. */
  channel?: string;
  /** The client the token was issued to (`sub` and `client_id`, as a client-credentials token has them). */
  clientId: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

export async function signToken(key: LocalSigningKey, request: TokenRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    scope: request.scopes.join(' '),
    client_id: request.clientId,
    ...(request.channel ? { [CHANNEL_CLAIM]: request.channel } : {}),
  })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.privateJwk.kid!, typ: 'JWT' })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(request.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + (request.expiresIn ?? 3600))
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}
