/**
 * Who is calling, from the claims the HTTP API's JWT authorizer validated and passed
 * on in `requestContext.authorizer.jwt` (payload format 2.0). The authorizer has
 * checked signature, issuer, audience, expiry and the route's scope before the
 * handler runs, on AWS and in the local cloud alike; what remains is the channel.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { CHANNEL_CLAIM } from './access.ts';
import { problems } from './problem.ts';
import { channelSchema } from './schemas.ts';

/** The channel the token acts for; a token without a valid channel claim may not act on orders (403). */
export function callerChannel(event: APIGatewayProxyEventV2): string {
  const claims = (event as Partial<APIGatewayProxyEventV2WithJWTAuthorizer>).requestContext?.authorizer?.jwt?.claims;
  const parsed = channelSchema.safeParse(claims?.[CHANNEL_CLAIM]);
  if (!parsed.success) {
    throw problems.forbidden(`The token carries no valid "${CHANNEL_CLAIM}" claim, so it cannot act for a channel`);
  }
  return parsed.data;
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
