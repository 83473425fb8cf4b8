/**
 * An order's sealed values stored without what their messages repeat (ADR 0003, amendment of 2026-12-04).
 *
 * Each value is an Encryption SDK message (format version 2) whose header holds, besides the
 * message id and the algorithm suite, the encryption context (order, path, purpose: ~90 bytes)
 * and the encrypted data keys (~200-260 bytes). The data key is cached, so the values sealed
 * together carry the same encrypted data keys, and the context is the item's own key and the
 * value's path. Stored once and rebuilt on reading, the four values of an address take about
 * 0.9 KB instead of 1.8 KB: one write unit per KB, doubled in a transaction.
 *
 * Byte layout only, no cryptography: the messages are rebuilt to the exact bytes the cipher made
 * (checked when compacting, or the values stay whole), and the cipher opens them as before.
 */
import type { SealedPath } from '../domain/personal-data.ts';
import { sealedContext } from './sealed-context.ts';

/** Version, algorithm suite and message id: the header up to the context. */
const PREFIX_BYTES = 1 + 2 + 32;
const FORMAT_VERSION = 2;

interface MessageParts {
  prefix: Buffer;
  /** The context as serialized: its length (2 bytes), then the pairs. */
  context: Buffer;
  /** The encrypted data keys: their count (2 bytes), then each key. */
  dataKeys: Buffer;
  rest: Buffer;
}

/** The message's header parts, or undefined for anything but a well-formed version 2 header. */
function split(message: Buffer): MessageParts | undefined {
  if (message.length < PREFIX_BYTES + 4 || message[0] !== FORMAT_VERSION) return undefined;
  let at = PREFIX_BYTES;
  const contextEnd = at + 2 + message.readUInt16BE(at);
  if (contextEnd + 2 > message.length) return undefined;
  at = contextEnd;
  const count = message.readUInt16BE(at);
  at += 2;
  for (let key = 0; key < count; key++) {
    // Provider id, provider info, ciphertext: each a 2-byte length and its bytes.
    for (let field = 0; field < 3; field++) {
      if (at + 2 > message.length) return undefined;
      at += 2 + message.readUInt16BE(at);
    }
  }
  if (at > message.length) return undefined;
  return {
    prefix: message.subarray(0, PREFIX_BYTES),
    context: message.subarray(PREFIX_BYTES, contextEnd),
    dataKeys: message.subarray(contextEnd, at),
    rest: message.subarray(at),
  };
}

const lengthPrefixed = (bytes: Buffer) => {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** The context as the Encryption SDK serializes it: pair count, then each key and value (length-prefixed), by key. */
function serializedContext(context: Record<string, string>): Buffer {
  const pairs = Object.entries(context)
    .map(([key, value]) => [Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8')] as const)
    .sort(([a], [b]) => Buffer.compare(a, b));
  const count = Buffer.alloc(2);
  count.writeUInt16BE(pairs.length);
  return lengthPrefixed(Buffer.concat([count, ...pairs.flatMap(([key, value]) => [lengthPrefixed(key), lengthPrefixed(value)])]));
}

export interface CompactSealedValues {
  /** The encrypted data keys the values share. */
  dataKeys: Uint8Array;
  values: Map<SealedPath, Uint8Array>;
}

/**
 * The values without their context and with their encrypted data keys once; undefined when any
 * message is not one this can rebuild exactly (another format, another context, other data keys).
 */
export function compactSealedValues(orderId: string, messages: ReadonlyMap<SealedPath, Uint8Array>): CompactSealedValues | undefined {
  let dataKeys: Buffer | undefined;
  const values = new Map<SealedPath, Uint8Array>();
  for (const [path, message] of messages) {
    const parts = split(Buffer.from(message));
    if (!parts || !parts.context.equals(serializedContext(sealedContext(orderId, path)))) return undefined;
    if (dataKeys && !dataKeys.equals(parts.dataKeys)) return undefined;
    dataKeys = parts.dataKeys;
    values.set(path, Buffer.concat([parts.prefix, parts.rest]));
  }
  return dataKeys ? { dataKeys, values } : undefined;
}

/** The message as the cipher made it, from its compact form. */
export function expandSealedValue(orderId: string, path: SealedPath, compact: Uint8Array, dataKeys: Uint8Array): Buffer {
  const bytes = Buffer.from(compact);
  return Buffer.concat([bytes.subarray(0, PREFIX_BYTES), serializedContext(sealedContext(orderId, path)), Buffer.from(dataKeys), bytes.subarray(PREFIX_BYTES)]);
}
