/**
 * The local dead-letter queues: what rules, pipes and stream mappings gave up on, by queue name,
 * on the feed as it happens and, with a data directory, appended to `dead-letters.jsonl`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feed } from './feed.ts';
import type { QueueTopology } from './topology.ts';

/** Where a failure without a dead-letter queue of its own is kept. */
const UNROUTED = 'unrouted-failures';

export class DeadLetterQueues {
  /** Messages by queue name. */
  readonly messages = new Map<string, unknown[]>();
  readonly #queueNames: Map<string, string>;
  readonly #feed: Feed;
  readonly #file: string | undefined;

  constructor(queues: QueueTopology[], feed: Feed, dataDir?: string) {
    this.#queueNames = new Map(queues.map((queue) => [queue.logicalId, queue.name]));
    this.#feed = feed;
    this.#file = dataDir ? join(dataDir, 'dead-letters.jsonl') : undefined;
  }

  send(queueLogicalId: string | undefined, message: unknown): void {
    const queue = this.#queueNames.get(queueLogicalId ?? '') ?? UNROUTED;
    this.messages.set(queue, [...(this.messages.get(queue) ?? []), message]);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify({ queue, message })}\n`);
    this.#feed.publish({ kind: 'dead-letter', at: new Date().toISOString(), queue, message });
  }
}
