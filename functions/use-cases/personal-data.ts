/**
 * The order as stored and passed between functions keeps its personal values sealed
 * (SEALED_PATHS); these turn a whole order one way or the other through the cipher port.
 */
import type { Order } from '../domain/order.ts';
import { SEALED_PATHS, valueAt, withValueAt } from '../domain/personal-data.ts';
import type { PersonalDataCipher } from './ports.ts';

async function eachSealedPath(
  order: Order,
  transform: (path: (typeof SEALED_PATHS)[number], value: string) => Promise<string>,
): Promise<Order> {
  let result = order;
  // Sequential on purpose: the first call warms the data-key cache the others then hit.
  for (const path of SEALED_PATHS) {
    const value = valueAt(order, path);
    // An erased value is empty: nothing to seal or open.
    if (value) result = withValueAt(result, path, await transform(path, value));
  }
  return result;
}

/** The order with every personal value sealed to it: what may be stored. */
export function sealOrder(cipher: PersonalDataCipher, order: Order): Promise<Order> {
  return eachSealedPath(order, (path, value) => cipher.seal(order.orderId, path, value));
}

/** The order with its personal values opened: for the caller entitled to them only. */
export function openOrder(cipher: PersonalDataCipher, order: Order): Promise<Order> {
  return eachSealedPath(order, (path, value) => cipher.open(order.orderId, path, value));
}

/** `stored` (sealed) with the personal values of `plain`, the same order before sealing: answers without decrypting. */
export function withPlainValuesOf(stored: Order, plain: Order): Order {
  return SEALED_PATHS.reduce((result, path) => {
    const value = valueAt(plain, path);
    return value === undefined ? result : withValueAt(result, path, value);
  }, stored);
}
