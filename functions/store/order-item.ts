/**
 * How an order is stored: the order item (the order plus the attributes the list indexes
 * need) and, apart, its personal data item. Shared by the store and the stream publisher,
 * which reads the order items from the table's change stream.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Order } from '../domain/order.ts';
import { inFlightSince } from '../domain/deadlines.ts';
import { orderAttributesFor, SEALED_PATHS, type PersonalDataField, type SealedPath } from '../domain/personal-data.ts';
import { inFlightShardOf, ENTITY, orderKey, PARTITIONS, paymentDueShardOf, personalDataKey } from './keys.ts';
import { compactSealedValues, expandSealedValue } from '../crypto/compact-sealed-values.ts';
import { paymentDueAt } from '../domain/payment.ts';
import { isAtRest, isRestingStatus } from '../domain/at-rest.ts';

const ITEM_ONLY_ATTRIBUTES = ['pk', 'sk', 'entityType', 'channelStatus', 'customerId', 'routeExplanation', 'inFlightShard', 'inFlightSince', 'updatedShard'] as const;

/**
 * The routing explanation is most of a routed order (2 KB of JSON for a few candidates, up
 * to ~6 KB for 25) and nothing queries it. Gzipped it is about a quarter of that, which keeps
 * the route and ship writes (2 write units per KB each, transactional) under 2 KB instead of 4.
 */
export function toOrderItem(order: Order): Record<string, unknown> {
  const { route, ...rest } = withoutSealedValues(order);
  // Only orders in flight are in the reconciler's index, so it costs two index writes per order.
  const since = inFlightSince(order);
  // An order awaiting payment is in the same index, in partitions of its own, by when its payment is due.
  const due = paymentDueAt(order);
  return {
    ...orderKey(order.orderId),
    entityType: ENTITY.order,
    // The status and change-time indexes list orders at rest only (ADR 0006): a step in flight
    // rewrites neither entry, which saves four index writes per step.
    ...(isRestingStatus(order.status) ? { channelStatus: `${order.channel}#${order.status}` } : {}),
    // DynamoDB refuses an empty index key; an erased order leaves the index instead.
    ...(order.customer.id ? { customerId: order.customer.id } : {}),
    ...(isAtRest(order) ? { updatedShard: inFlightShardOf(order.orderId) } : {}),
    ...(since ? { inFlightShard: inFlightShardOf(order.orderId), inFlightSince: since } : {}),
    ...(due ? { inFlightShard: paymentDueShardOf(order.orderId), inFlightSince: due } : {}),
    ...rest,
    ...(route ? storedRoute(route) : {}),
  };
}

function storedRoute({ explanation, ...decision }: NonNullable<Order['route']>) {
  return { route: decision, routeExplanation: gzipSync(JSON.stringify(explanation)) };
}

type Node = Record<string, unknown>;

const at = (node: unknown, path: SealedPath) => path.split('.').reduce<unknown>((parent, key) => (parent as Node | undefined)?.[key], node);

/** The sealed values (base64 text) of `order` by path; erased values (empty) are not personal and stay in the order item. */
export function sealedValuesOf(order: object): Map<SealedPath, string> {
  const values = new Map<SealedPath, string>();
  for (const path of SEALED_PATHS) {
    const value = at(order, path);
    if (typeof value === 'string' && value !== '') values.set(path, value);
  }
  return values;
}

/** A copy of `node` with `value` at `path` (undefined: removed); objects on the way copied. */
function settingAt(node: Node, [key, ...rest]: string[], value: unknown): Node {
  const copy = { ...node };
  if (rest.length > 0) copy[key!] = settingAt((node[key!] ?? {}) as Node, rest, value);
  else if (value === undefined) delete copy[key!];
  else copy[key!] = value;
  return copy;
}

function withoutSealedValues(order: Order): Order {
  return [...sealedValuesOf(order).keys()].reduce((node, path) => settingAt(node, path.split('.'), undefined), order as unknown as Node) as unknown as Order;
}

/** Base64 text as the bytes it encodes (a quarter smaller); other text, which the cipher never makes, as is. */
function compactly(value: string): Uint8Array | string {
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : value;
}

/**
 * The personal data item's attribute holding the encrypted data keys its values share, when they
 * are stored compactly (crypto/compact-sealed-values.ts); items without it hold whole messages.
 */
export const SEALED_DATA_KEYS_ATTRIBUTE = 'sealedDataKeys';

/**
 * The attributes a reader of `fields` reads of the order's items, keys included: the IAM policy of
 * a reader limited to them (`dynamodb:Attributes`) is made from the same list.
 */
export function personalDataAttributesFor(fields: readonly PersonalDataField[]): string[] {
  const sealed = fields.some((field) => (SEALED_PATHS as readonly string[]).includes(field));
  return ['pk', 'sk', ...orderAttributesFor(fields), ...(sealed ? [SEALED_DATA_KEYS_ATTRIBUTE] : [])];
}

/**
 * The order's sealed values in an item of their own, as bytes: about 2 KB that the order item
 * would otherwise carry through every step's write, 0.9 KB with what their messages repeat stored
 * once. Undefined when the order holds none (erased).
 */
export function toPersonalDataItem(order: Order): Record<string, unknown> | undefined {
  const values = new Map([...sealedValuesOf(order)].map(([path, value]) => [path, compactly(value)] as const));
  if (values.size === 0) return undefined;
  const messages = new Map([...values].flatMap(([path, value]) => (value instanceof Uint8Array ? [[path, value] as const] : [])));
  const compact = messages.size === values.size ? compactSealedValues(order.orderId, messages) : undefined;
  let item: Node = {
    ...personalDataKey(order.orderId),
    entityType: ENTITY.personalData,
    ...(compact ? { [SEALED_DATA_KEYS_ATTRIBUTE]: compact.dataKeys } : {}),
  };
  for (const [path, value] of compact?.values ?? values) item = settingAt(item, path.split('.'), value);
  return item;
}

/**
 * The order from the items of its partition that a Query `begins_with(sk, 'ORDER')` reads
 * (the order item and its personal data item, either possibly projected, the personal data item
 * with its `pk` and `sealedDataKeys`); undefined without the order item.
 */
export function fromOrderItems(items: readonly Record<string, unknown>[]): Order | undefined {
  const orderItem = items.find((item) => item.sk === orderKey('').sk);
  if (!orderItem) return undefined;
  const personal = items.find((item) => item.sk === personalDataKey('').sk);
  const dataKeys = personal?.[SEALED_DATA_KEYS_ATTRIBUTE];
  let order = fromOrderItem(orderItem) as unknown as Node;
  for (const path of SEALED_PATHS) {
    const stored = at(personal, path);
    if (stored instanceof Uint8Array) {
      const message = dataKeys instanceof Uint8Array ? expandSealedValue(String(personal!.pk).slice(PARTITIONS.order.length), path, stored, dataKeys) : stored;
      order = settingAt(order, path.split('.'), Buffer.from(message).toString('base64'));
    } else if (typeof stored === 'string') order = settingAt(order, path.split('.'), stored);
  }
  return order as unknown as Order;
}

/**
 * The order in a stored order item, without its personal data item: read from the table
 * (binary as bytes) or from a stream record as Lambda delivers it (binary as base64 text, the
 * JSON form of a `B` attribute).
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
