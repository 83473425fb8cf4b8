/**
 * The HTTP API's JWT authorizer locally, configured from the synthesized template
 * (the authorizer's issuer, audience and identity source, the route's scopes) and
 * verifying with the local signing key's JWKS instead of the issuer's `jwks_uri`.
 * It follows API Gateway's documented evaluation: token from the identity source
 * (optionally `Bearer `-prefixed), RSA signature by a key whose `kid` matches, `iss`,
 * `aud` (or `client_id` when there is no `aud`), `exp`, `nbf`, `iat`, then at least one
 * of the route's scopes from `scope` or `scp`. Failures are 401, a missing scope 403,
 * with API Gateway's `www-authenticate` header; the body is problem+json here, where
 * API Gateway answers `{"message":"Unauthorized"}` / `{"message":"Forbidden"}`.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtAuthorization } from '../topology.ts';

/** What API Gateway passes to the integration in `requestContext.authorizer` (payload format 2.0). */
export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

export type AuthorizerOutcome =
  | { allowed: true; context: JwtAuthorizerContext }
  | { allowed: false; status: 401 | 403; error: 'invalid_token' | 'insufficient_scope'; description: string };

/** API Gateway supports only RSA-based algorithms for JWT authorizers. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

const deny = (description: string): AuthorizerOutcome => ({ allowed: false, status: 401, error: 'invalid_token', description });

function tokenFrom(headers: Record<string, string>, identitySource: string[]): string | undefined {
  for (const source of identitySource) {
    const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
    const value = header ? headers[header.toLowerCase()] : undefined;
    if (value) return value.replace(/^Bearer\s+/i, '').trim();
  }
  return undefined;
}

function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

/** Claims as API Gateway hands them on: every value a string, arrays as `[a b]`. */
function flattenClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
    ]),
  );
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'the token does not have a valid issuer';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token has an invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token was not signed by a known key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an RSA algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  return 'the token is malformed';
}

/** Decides a request to a JWT-authorized route, as API Gateway would before invoking the integration. */
export async function authorize(
  headers: Record<string, string>,
  authorization: JwtAuthorization,
  keys: JWTVerifyGetKey,
  now = new Date(),
): Promise<AuthorizerOutcome> {
  const token = tokenFrom(headers, authorization.identitySource);
  if (!token) return deny('the request has no token in ' + authorization.identitySource.join(', '));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, { issuer: authorization.issuer, algorithms: RSA_ALGORITHMS, currentDate: now }));
  } catch (error) {
    return deny(describe(error));
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.exp !== 'number') return deny('the token has no expiry');
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds) return deny('the token was issued in the future');
  // API Gateway reads client_id only when the token has no aud.
  const audiences = payload.aud !== undefined ? [payload.aud].flat() : [payload.client_id].filter((a) => typeof a === 'string');
  if (!audiences.some((audience) => authorization.audience.includes(String(audience)))) {
    return deny('the token does not have a valid audience');
  }
  const scopes = scopesOf(payload);
  if (authorization.scopes.length > 0 && !authorization.scopes.some((scope) => scopes.includes(scope))) {
    return {
      allowed: false,
      status: 403,
      error: 'insufficient_scope',
      description: `the token has none of the scopes this route requires (${authorization.scopes.join(', ')})`,
    };
  }
  return { allowed: true, context: { jwt: { claims: flattenClaims(payload), scopes: authorization.scopes.length > 0 ? scopes : null } } };
}

/** The `www-authenticate` header API Gateway sends with a refusal. */
export function wwwAuthenticate(outcome: Extract<AuthorizerOutcome, { allowed: false }>, routeScopes: string[]): string {
  return `Bearer scope="${routeScopes.join(' ')}" error="${outcome.error}" error_description="${outcome.description}"`;
}
