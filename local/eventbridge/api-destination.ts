/**
 * Calls an API destination the way EventBridge does: the event as a JSON body, the connection's
 * credentials (API key header, Basic, or an OAuth client-credentials token), a 5 s timeout, and
 * EventBridge's split between responses it retries and responses it gives up on at once.
 *
 * Credentials come from local secrets standing in for Secrets Manager: the template holds
 * `{{resolve:secretsmanager:<name>:SecretString:<field>::}}` references, resolved per call.
 */
import type { ApiDestinationTopology, ConnectionTopology } from '../topology.ts';

/** Secret name to its SecretString: a JSON object (fields) or plain text. */
export type LocalSecrets = Record<string, string | Record<string, string>>;

/** A failed call; `retryable: false` sends the event to the dead-letter queue without retries. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  constructor(name: string, message: string, retryable: boolean, status?: number) {
    super(message);
    this.name = name;
    this.retryable = retryable;
    if (status !== undefined) this.status = status;
  }
}

/** EventBridge retries these statuses (and network errors and timeouts); any other non-2xx is final. */
const RETRIED_STATUSES = new Set([401, 407, 409, 429]);
/** API destinations give an endpoint this long to answer. */
const INVOCATION_TIMEOUT_MS = 5_000;
const DYNAMIC_REFERENCE = /\{\{resolve:secretsmanager:([^:}]+):SecretString:([^:}]*)(?::[^}]*)?\}\}/g;

function resolveSecrets(value: unknown, secrets: LocalSecrets): string {
  return String(value).replace(DYNAMIC_REFERENCE, (_, name: string, field: string) => {
    const secret = secrets[name];
    const resolved = typeof secret === 'string' ? (field ? (JSON.parse(secret) as Record<string, string>)[field] : secret) : field ? secret?.[field] : undefined;
    if (resolved === undefined) {
      // On AWS the deploy would fail on a missing secret; retrying cannot help here either.
      throw new DeliveryError(
        'SecretNotFound',
        `Local secret "${name}"${field ? ` field "${field}"` : ''} is not set: add it to the local secrets file (see README, Partners)`,
        false,
      );
    }
    return resolved;
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export class ApiDestinationCaller {
  private readonly secrets: LocalSecrets;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(secrets: LocalSecrets) {
    this.secrets = secrets;
  }

  /** Resolves with the response status when the endpoint accepted the event (2xx); throws a DeliveryError otherwise. */
  async call(destination: ApiDestinationTopology, event: unknown): Promise<number> {
    const headers = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations', ...(await this.authHeaders(destination.connection)) };
    const response = await this.fetch(destination.endpoint, { method: destination.httpMethod, headers, body: JSON.stringify(event) });
    await response.arrayBuffer();
    if (response.ok) return response.status;
    if (response.status === 401) this.tokens.delete(destination.connection.logicalId);
    const retryable = response.status >= 500 || RETRIED_STATUSES.has(response.status);
    throw new DeliveryError('ApiDestinationError', `${destination.endpoint} answered ${response.status}`, retryable, response.status);
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(INVOCATION_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new DeliveryError('ApiDestinationUnreachable', `${url}: ${cause}`, true);
    }
  }

  private async authHeaders(connection: ConnectionTopology): Promise<Record<string, string>> {
    const parameters = connection.authParameters;
    switch (connection.authorizationType) {
      case 'API_KEY':
        return { [parameters.ApiKeyAuthParameters.ApiKeyName]: resolveSecrets(parameters.ApiKeyAuthParameters.ApiKeyValue, this.secrets) };
      case 'BASIC': {
        const { Username, Password } = parameters.BasicAuthParameters;
        return { authorization: basic(resolveSecrets(Username, this.secrets), resolveSecrets(Password, this.secrets)) };
      }
      case 'OAUTH_CLIENT_CREDENTIALS':
        return { authorization: `Bearer ${await this.token(connection)}` };
    }
  }

  /**
   * Client-credentials token, cached until it expires or the endpoint answers 401. Locally the
   * client id and secret go in a Basic header and the connection's body parameters as a form
   * (RFC 6749 section 4.4).
   */
  private async token(connection: ConnectionTopology): Promise<string> {
    const cached = this.tokens.get(connection.logicalId);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const oauth = connection.authParameters.OAuthParameters;
    const body = new URLSearchParams(
      (oauth.OAuthHttpParameters?.BodyParameters ?? []).map((parameter: { Key: string; Value: string }) => [
        parameter.Key,
        resolveSecrets(parameter.Value, this.secrets),
      ]),
    );
    const response = await this.fetch(oauth.AuthorizationEndpoint, {
      method: oauth.HttpMethod,
      headers: {
        authorization: basic(resolveSecrets(oauth.ClientParameters.ClientID, this.secrets), resolveSecrets(oauth.ClientParameters.ClientSecret, this.secrets)),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!response.ok || !answer.access_token) {
      throw new DeliveryError('OAuthTokenError', `${oauth.AuthorizationEndpoint} answered ${response.status} without an access_token`, true, response.status);
    }
    this.tokens.set(connection.logicalId, { token: answer.access_token, expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000 - 5_000 });
    return answer.access_token;
  }
}
