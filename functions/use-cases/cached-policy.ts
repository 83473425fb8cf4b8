import type { PolicyRepository, StoredPolicy } from './ports.ts';

/**
 * The live policy, read at most once per `maxAgeMs` per process: one GetItem per
 * container per interval instead of one per order, and a policy change is live
 * everywhere within that interval. (Powertools' DynamoDBProvider would do this, but it
 * reads by partition key only, and this table's items have a sort key.)
 */
export function cachedPolicy<Document>(store: PolicyRepository, maxAgeMs: number): () => Promise<StoredPolicy<Document> | undefined> {
  let cached: { value: StoredPolicy<Document> | undefined; at: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const value = await store.current<Document>();
      // "No policy yet" is not remembered: the first policy saved must not wait out the interval.
      if (!value) return undefined;
      cached = { value, at: Date.now() };
    }
    return cached.value;
  };
}
