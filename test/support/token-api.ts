/**
 * Calls the local cloud's HTTP API with one of a few named tokens (an operator's, a channel's),
 * answering the status and the parsed body.
 */
import type { LocalCloud } from '../../local/local-cloud.ts';

export function tokenApi<Name extends string>(cloud: () => LocalCloud, tokens: Record<Name, string>) {
  return async (method: string, path: string, as: Name, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${cloud().url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[as]}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
