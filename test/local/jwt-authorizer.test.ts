/**
 * The local JWT authorizer's rules, one claim at a time, as API Gateway documents
 * them: what makes a 401, what makes a 403, and what the integration receives.
 */
import { SignJWT, generateSecret, importJWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../local/apigateway/jwt-authorizer.ts';
import { loadOrCreateSigningKey, type LocalSigningKey } from '../../local/dev-tokens.ts';
import type { JwtAuthorization } from '../../local/topology.ts';

const ROUTE: JwtAuthorization = {
  authorizerLogicalId: 'Authorizer',
  issuer: 'https://issuer.test',
  audience: ['api-1', 'api-2'],
  identitySource: ['$request.header.Authorization'],
  scopes: ['orders/channel'],
};

let key: LocalSigningKey;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  key = await loadOrCreateSigningKey();
});

/** A token with exactly these claims (no defaults beyond the header), signed by the local key. */
async function token(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.privateJwk.kid! }).sign(await importJWK(key.privateJwk, 'RS256'));
}

const valid: JWTPayload = { iss: ROUTE.issuer, aud: 'api-1', exp: now + 600, iat: now, scope: 'orders/channel', channel: 'web-shop' };
const decide = async (claims: JWTPayload, route = ROUTE) => authorize({ authorization: `Bearer ${await token(claims)}` }, route, key.jwks);

describe('local JWT authorizer', () => {
  it('passes every claim on as a string, arrays as [a b], with the token\'s scopes', async () => {
    const outcome = await decide({ ...valid, scope: 'orders/channel orders/admin', groups: ['a', 'b'] });
    expect(outcome).toEqual({
      allowed: true,
      context: {
        jwt: {
          claims: {
            iss: ROUTE.issuer,
            aud: 'api-1',
            exp: String(now + 600),
            iat: String(now),
            scope: 'orders/channel orders/admin',
            channel: 'web-shop',
            groups: '[a b]',
          },
          scopes: ['orders/channel', 'orders/admin'],
        },
      },
    });
  });

  it('takes the token without the Bearer prefix, and scopes from an scp array', async () => {
    const { scope: _scope, ...withoutScope } = valid;
    const outcome = await authorize({ authorization: await token({ ...withoutScope, scp: ['orders/channel'] }) }, ROUTE, key.jwks);
    expect(outcome.allowed).toBe(true);
  });

  it('matches client_id only when there is no aud', async () => {
    const { aud: _aud, ...withoutAud } = valid;
    expect((await decide({ ...withoutAud, client_id: 'api-2' })).allowed).toBe(true);
    expect(await decide({ ...valid, aud: 'other', client_id: 'api-2' })).toMatchObject({ allowed: false, status: 401, description: /audience/ });
  });

  it('refuses with 401 a token not yet valid, issued in the future, without expiry, or not RSA-signed', async () => {
    const { exp: _exp, ...withoutExp } = valid;
    for (const claims of [{ ...valid, nbf: now + 600 }, { ...valid, iat: now + 600 }, withoutExp]) {
      expect(await decide(claims), JSON.stringify(claims)).toMatchObject({ allowed: false, status: 401, error: 'invalid_token' });
    }
    const hmac = await new SignJWT(valid).setProtectedHeader({ alg: 'HS256' }).sign(await generateSecret('HS256'));
    expect(await authorize({ authorization: `Bearer ${hmac}` }, ROUTE, key.jwks)).toMatchObject({ allowed: false, status: 401 });
  });

  it('refuses with 403 a valid token that has none of the route\'s scopes, and gives scopes null on a route that requires none', async () => {
    expect(await decide({ ...valid, scope: 'orders/admin' })).toMatchObject({ allowed: false, status: 403, error: 'insufficient_scope' });
    const anyToken = await decide({ ...valid, scope: 'orders/admin' }, { ...ROUTE, scopes: [] });
    expect(anyToken).toMatchObject({ allowed: true, context: { jwt: { scopes: null } } });
  });
});
