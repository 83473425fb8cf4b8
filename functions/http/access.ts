/**
 * Who may call what: the OAuth 2.0 scopes the HTTP API's JWT authorizer requires per
 * route, and the token claim that names the calling channel. The CDK app (route
 * authorization), the OpenAPI document and the handlers read them from here.
 */

/** Scopes a token carries in its `scope` (space-separated) or `scp` claim. */
export const SCOPES = {
  /** Place, read, list, amend and cancel the channel's own orders. */
  channel: 'orders/channel',
  /** Stock and routing policy: operators and back-office systems, not channels. */
  admin: 'orders/admin',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * The custom claim that names the channel a token acts for. A claim rather than a
 * client-id mapping so that no table of clients has to be deployed with the API:
 * any identity provider that can add a claim to access tokens works (Cognito with a
 * pre-token-generation trigger, Auth0 actions, Keycloak mappers, Okta).
 */
export const CHANNEL_CLAIM = 'channel';
