/**
 * Calls the local cloud's HTTP API as its callers do: an operator token for the stock and
 * policy routes, the channel's token for order routes (the fixtures' channel by default).
 */
import { SCOPES } from '../../functions/http/access.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { OrderChanges, untilOrder } from './order-changes.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export function localApi(cloud: () => LocalCloud, channel = orderRequest().channel) {
  const tokens = new Map<string, Promise<string>>();
  const bearer = (path: string, asChannel = channel): Promise<string> => {
    const admin = /^\/(inventory|policies|customers)\//.test(path);
    const key = admin ? 'admin' : asChannel;
    if (!tokens.has(key)) {
      const request = admin ? { scopes: [SCOPES.admin] } : { scopes: [SCOPES.channel], channel: asChannel };
      tokens.set(key, cloud().issueToken(request).then((token) => `Bearer ${token}`));
    }
    return tokens.get(key)!;
  };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const response = await fetch(`${cloud().url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: await bearer(path), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const changes = new OrderChanges(cloud);
  /** Waits until the API shows the order in one of `statuses`, asking it at first and after each change of the order (`untilOrder`). */
  const waitForStatus = async (orderId: string, statuses: string[], timeoutMs = 60_000) =>
    (
      await untilOrder(
        changes,
        orderId,
        () => call('GET', `/orders/${orderId}`),
        ({ body }) => statuses.includes(body.status),
        timeoutMs,
        ({ body }) => new Error(`order ${orderId} stayed ${body.status}, expected ${statuses.join('|')}`),
      )
    ).body;
  return { bearer, call, waitForStatus };
}
