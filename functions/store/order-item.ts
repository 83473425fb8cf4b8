/**
 * How an order is stored: the order itself plus the attributes the list indexes
 * need. Shared by the store and the stream publisher, which reads the same items
 * from the table's change stream.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Order } from '../domain/order.ts';
import { inFlightSince } from '../domain/deadlines.ts';
import { inFlightShardOf, ENTITY, orderKey } from './keys.ts';

const ITEM_ONLY_ATTRIBUTES = ['pk', 'sk', 'entityType', 'channelStatus', 'customerId', 'routeExplanation', 'inFlightShard', 'inFlightSince', 'updatedShard'] as const;

/**
 * The routing explanation is most of a routed order (2 KB of JSON for a few candidates, up
 * to ~6 KB for 25) and nothing queries it. Gzipped it is about a quarter of that, which keeps
 * the route and ship writes (2 write units per KB each, transactional) under 2 KB instead of 4.
 */
export function toOrderItem(order: Order): Record<string, unknown> {
  const { route, ...rest } = order;
  // Only orders in flight are in the reconciler's index, so it costs two index writes per order.
  const since = inFlightSince(order);
  return {
    ...orderKey(order.orderId),
    entityType: ENTITY.order,
    channelStatus: `${order.channel}#${order.status}`,
    // DynamoDB refuses an empty index key; an erased order leaves the index instead.
    ...(order.customer.id ? { customerId: order.customer.id } : {}),
    updatedShard: inFlightShardOf(order.orderId),
    ...(since ? { inFlightShard: inFlightShardOf(order.orderId), inFlightSince: since } : {}),
    ...rest,
    ...(route ? storedRoute(route) : {}),
  };
}

function storedRoute({ explanation, ...decision }: NonNullable<Order['route']>) {
  return { route: decision, routeExplanation: gzipSync(JSON.stringify(explanation)) };
}

/**
 * The order in a stored item: read from the table (binary as bytes) or from a stream record
 * as Lambda delivers it (binary as base64 text, the JSON form of a `B` attribute).
 */
export function fromOrderItem(item: Record<string, unknown>): Order {
  const order: Record<string, unknown> = { ...item };
  for (const attribute of ITEM_ONLY_ATTRIBUTES) delete order[attribute];
  const stored = item.routeExplanation;
  const compressed = typeof stored === 'string' ? Buffer.from(stored, 'base64') : stored;
  if (order.route && compressed instanceof Uint8Array) {
    order.route = { ...(order.route as object), explanation: JSON.parse(gunzipSync(compressed).toString('utf8')) };
  }
  return order as unknown as Order;
}
