/**
 * The encryption context of a sealed personal value, apart from the cipher (which loads the
 * Encryption SDK) so that the store's compact form of the messages can rebuild it.
 */
import type { SealedPath } from '../domain/personal-data.ts';

/** What KMS sees of every data key; key policy and grants may require it. */
export const DATA_KEY_CONTEXT = { purpose: 'order-personal-data' } as const;

/** The context each message's header carries and authenticates: its order and path, and the data key's purpose. */
export function sealedContext(orderId: string, path: SealedPath): Record<string, string> {
  return { orderId, path, ...DATA_KEY_CONTEXT };
}
