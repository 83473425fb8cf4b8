/**
 * Who is calling, from the claims the HTTP API's JWT authorizer validated and passed
 * on in `requestContext.authorizer.jwt` (payload format 2.0). The authorizer has
 * checked signature, issuer, audience, expiry and that the token has one of the route's
 * scopes before the handler runs, on AWS and in the local cloud alike; what remains is
 * which: an operator's scope, or the channel the token acts for.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Actor } from '../domain/order.ts';
import type { Visibility } from '../use-cases/channel-orders.ts';
import { CHANNEL_CLAIM, SCOPES } from './access.ts';
import { problems } from './problem.ts';
import { channelSchema } from './identifiers.ts';

/** A channel, limited to its own orders, or an operator, who sees every channel's. */
export type Caller =
  | { readonly kind: 'channel'; readonly channel: string; readonly actor: Actor }
  | { readonly kind: 'operator'; readonly role: 'support' | 'admin'; readonly actor: Actor };

function claimsOf(event: APIGatewayProxyEventV2): Record<string, unknown> {
  return (event as Partial<APIGatewayProxyEventV2WithJWTAuthorizer>).requestContext?.authorizer?.jwt?.claims ?? {};
}

/**
 * The token's scopes: API Gateway passes `scope` as the token's space-separated string and an
 * `scp` array flattened to `[a b]`, so both are read as words.
 */
function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  const words = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').replace(/^\[|\]$/g, '').split(/[\s,]+/);
  return words.filter(Boolean);
}

/** The token's subject, else its client id: who acted, for the audit trail. */
function subjectOf(claims: Record<string, unknown>): string {
  const subject = claims.sub ?? claims.client_id;
  if (typeof subject !== 'string' || subject === '') throw problems.forbidden('The token names no subject ("sub" or "client_id")');
  return subject.slice(0, 200);
}

export function caller(event: APIGatewayProxyEventV2): Caller {
  const claims = claimsOf(event);
  const scopes = scopesOf(claims);
  const role = scopes.includes(SCOPES.admin) ? 'admin' : scopes.includes(SCOPES.support) ? 'support' : undefined;
  if (role) return { kind: 'operator', role, actor: { kind: 'operator', id: subjectOf(claims) } };
  const channel = callerChannel(event);
  return { kind: 'channel', channel, actor: { kind: 'channel', id: subjectOf(claims) } };
}

/** The channel the token acts for; a token without a valid channel claim may not act on orders (403). */
export function callerChannel(event: APIGatewayProxyEventV2): string {
  const parsed = channelSchema.safeParse(claimsOf(event)[CHANNEL_CLAIM]);
  if (!parsed.success) {
    throw problems.forbidden(`The token carries no valid "${CHANNEL_CLAIM}" claim, so it cannot act for a channel`);
  }
  return parsed.data;
}

/** Whose orders the caller sees: one channel's, or every channel's. */
export function visibility(who: Caller): Visibility {
  return who.kind === 'channel' ? { channel: who.channel } : 'any';
}

/**
 * A channel named in a request (an older integration's body or query) must be the
 * token's: acting for another channel is refused, not silently rewritten.
 */
export function requireOwnChannel(named: string | undefined, channel: string, where: string): void {
  if (named !== undefined && named !== channel) {
    throw problems.forbidden(`${where} names channel "${named}", but the token acts for "${channel}"`, 'channel-mismatch');
  }
}
