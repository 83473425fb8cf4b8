/**
 * What happens in the local cloud, as it happens: bus events, workflow executions,
 * partner deliveries and dead letters. Kept in a bounded buffer and pushed to live subscribers
 * (the `/_local/feed` server-sent events stream that `npm run tail` reads).
 */
export type FeedItem =
  | { kind: 'event'; at: string; busName: string; event: { id: string; 'detail-type': string; source: string; detail: unknown } }
  | { kind: 'execution'; at: string; executionArn: string; status: string; error?: string; cause?: string; input: unknown }
  | { kind: 'dead-letter'; at: string; queue: string; message: unknown }
  | {
      kind: 'delivery';
      at: string;
      /** The rule (or pipe) delivering. */
      rule: string;
      /** Endpoint or event bus ARN. */
      destination: string;
      detailType: string;
      outcome: 'delivered' | 'failed';
      status?: number;
      error?: string;
    };

export class Feed {
  private readonly items: FeedItem[] = [];
  private readonly listeners = new Set<(item: FeedItem) => void>();
  private readonly capacity: number;
  private published = 0;

  constructor(capacity = 5000) {
    this.capacity = capacity;
  }

  publish(item: FeedItem): void {
    this.published += 1;
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
    for (const listener of this.listeners) listener(item);
  }

  /** Items published since start (not capped), to tell whether anything happened. */
  size(): number {
    return this.published;
  }

  recent(): FeedItem[] {
    return [...this.items];
  }

  subscribe(listener: (item: FeedItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
