/**
 * Tells a test waiting on orders when an order's item changes in the local cloud's table. Waiting by
 * asking the API every 50 ms runs the authorizer and the GetOrder function (its table read and its
 * KMS decrypt) for each look, for every order waited on, and took CPU from the pipeline under test
 * (a suite waiting on 200 orders at once asked the API for each of them). Here one BatchGetItem
 * every 50 ms reads the status and version of every order waited on; the waiter asks the API only
 * when its order changed, and decides on what the API answers.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { orderKey } from '../../functions/store/keys.ts';
import { localDynamoDbClient } from '../../local/dynamodb/dynamodb-local.ts';
import type { LocalCloud } from '../../local/local-cloud.ts';

const LOOK_EVERY_MS = 50;
/** BatchGetItem's limit of keys per request. */
const KEYS_PER_BATCH = 100;

/** A waiter's `seen` before its first look: resolved by the first round that reads the order. */
export const NOT_LOOKED = Symbol('not looked');

interface Waiter {
  orderId: string;
  /** What the order's item looked like when the waiter last asked the API. */
  seen: string | typeof NOT_LOOKED;
  until: number;
  /** Not yet through a round of looks. */
  fresh: boolean;
  resolve: (fingerprint: string | undefined) => void;
}

export class OrderChanges {
  private readonly cloud: () => LocalCloud;
  private readonly waiters = new Set<Waiter>();
  private client: { endpoint: string; dynamodb: DynamoDBClient } | undefined;
  private looking = false;

  constructor(cloud: () => LocalCloud) {
    this.cloud = cloud;
  }

  /**
   * Resolves with the order item's fingerprint (its status and version) once it differs from `seen`
   * (`NOT_LOOKED`: as soon as it is read), or with whatever was last read once `until` has passed.
   */
  changed(orderId: string, seen: string | typeof NOT_LOOKED, until: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.waiters.add({ orderId, seen, until, fresh: true, resolve });
      if (!this.looking) void this.lookWhileWaited();
    });
  }

  private async lookWhileWaited(): Promise<void> {
    this.looking = true;
    try {
      while (this.waiters.size > 0) {
        // A waiter's first look is at once: a test acting within a window (a hold, a slow carrier) loses no time to it.
        if (![...this.waiters].some((waiter) => waiter.fresh)) await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
        const waiting = [...this.waiters];
        // A look that fails (the database busy or stopping) answers nothing this round; the waiters' deadlines still hold.
        const now = await this.look([...new Set(waiting.map((waiter) => waiter.orderId))]).catch(() => new Map<string, string>());
        for (const waiter of waiting) {
          waiter.fresh = false;
          const fingerprint = now.get(waiter.orderId);
          // An order not answered (not there, or a key left unprocessed) is looked at again on the next round.
          if ((fingerprint !== undefined && fingerprint !== waiter.seen) || Date.now() > waiter.until) {
            this.waiters.delete(waiter);
            waiter.resolve(fingerprint);
          }
        }
      }
    } finally {
      this.looking = false;
      // Nothing waits: let go of the connection, so nothing is left open when the cloud stops.
      this.client?.dynamodb.destroy();
      this.client = undefined;
    }
  }

  private async look(orderIds: string[]): Promise<Map<string, string>> {
    const cloud = this.cloud();
    // A restarted cloud (restart suites) answers at another endpoint.
    if (this.client?.endpoint !== cloud.dynamodbEndpoint) {
      this.client?.dynamodb.destroy();
      this.client = { endpoint: cloud.dynamodbEndpoint, dynamodb: localDynamoDbClient(cloud.dynamodbEndpoint) };
    }
    const table = cloud.tableName();
    const fingerprints = new Map<string, string>();
    const orderIdOf = new Map(orderIds.map((orderId) => [orderKey(orderId).pk, orderId]));
    for (let start = 0; start < orderIds.length; start += KEYS_PER_BATCH) {
      const keys = orderIds.slice(start, start + KEYS_PER_BATCH).map((orderId) => {
        const { pk, sk } = orderKey(orderId);
        return { pk: { S: pk }, sk: { S: sk } };
      });
      const { Responses } = await this.client.dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: {
            [table]: { Keys: keys, ProjectionExpression: 'pk, #status, #version', ExpressionAttributeNames: { '#status': 'status', '#version': 'version' } },
          },
        }),
      );
      for (const item of Responses?.[table] ?? []) {
        fingerprints.set(orderIdOf.get(item.pk?.S ?? '')!, JSON.stringify([item.status, item.version]));
      }
    }
    return fingerprints;
  }
}

/**
 * Reads the order with `read` at first and after each change of its item, until `done` holds; past
 * `timeoutMs`, throws what `stuck` makes of the last read. The item is looked at before each read, so
 * a change while `read` runs is not missed.
 */
export async function untilOrder<T>(
  changes: OrderChanges,
  orderId: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  stuck: (last: T) => Error,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = await changes.changed(orderId, NOT_LOOKED, deadline);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw stuck(value);
    seen = await changes.changed(orderId, seen ?? NOT_LOOKED, deadline);
  }
}
