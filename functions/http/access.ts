/**
 * Who may call what: the OAuth 2.0 scopes the HTTP API's JWT authorizer requires per
 * route, the levels of authority they make up, and the token claim that names the calling
 * channel. The CDK app (route authorization), the OpenAPI document and the handlers read
 * them from here.
 */

/** Scopes a token carries in its `scope` (space-separated) or `scp` claim. */
export const SCOPES = {
  /** Place, read, list, amend and cancel the channel's own orders. */
  channel: 'orders/channel',
  /** Operators on duty: read and list every channel's orders, hold, release and retry them. */
  support: 'orders/support',
  /** All of support, plus cancel any order, stock and routing policy: operators and back-office systems, not channels. */
  admin: 'orders/admin',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * Levels of authority, as the scopes that grant each: a route lists one, and API Gateway lets
 * a token through with any of its scopes (a route's authorization scopes are OR'ed). What a
 * token may then see (a channel only its own orders) the handler decides from the scopes.
 */
export const AUTHORITY = {
  /** A channel acting on its own orders. */
  channel: [SCOPES.channel],
  /** Reading orders: a channel its own, operators any. */
  readOrders: [SCOPES.channel, SCOPES.support, SCOPES.admin],
  /** Operator actions on an order in flight. */
  operate: [SCOPES.support, SCOPES.admin],
  /** Cancelling: a channel its own orders, an admin any. */
  cancel: [SCOPES.channel, SCOPES.admin],
  /** Stock and routing policy. */
  admin: [SCOPES.admin],
} as const satisfies Record<string, readonly [Scope, ...Scope[]]>;
export type Authority = (typeof AUTHORITY)[keyof typeof AUTHORITY];

/**
 * The custom claim that names the channel a token acts for. A claim rather than a
 * client-id mapping so that no table of clients has to be deployed with the API:
 * any identity provider that can add a claim to access tokens works (Cognito with a
 * pre-token-generation trigger, Auth0 actions, Keycloak mappers, Okta).
 */
export const CHANNEL_CLAIM = 'channel';
