/**
 * When the local engines do each thing an order goes through: a request answered, a function
 * invoked, stream records read and handed to their function, an event accepted on the bus, a
 * workflow started. Opt-in (`LocalCloudOptions.hopRecorder`): without one the engines record
 * nothing; with one, each mark is a push onto an array, nothing waits on it. `npm run bench:latency`
 * turns the marks of one order into its hops (bench/hop-breakdown.ts).
 */
import { performance } from 'node:perf_hooks';

export type HopMark =
  /** A request to the HTTP API, from its arrival to the response written. */
  | { kind: 'http'; routeKey: string; functionLogicalId: string; receivedAt: number; answeredAt: number; status: number }
  /**
   * One function invocation on the local host, from the message to its worker to the result back;
   * `handlerMs`, `handlerEndedAt` and `lastWriteAt` (when its last DynamoDB write was answered: committed by then) timed inside the worker.
   */
  | { kind: 'invocation'; functionLogicalId: string; startedAt: number; endedAt: number; handlerMs: number; handlerEndedAt: number; lastWriteAt?: number }
  /** One batch of stream records handed to a function. */
  | ({ kind: 'stream-batch'; functionLogicalId: string } & BatchTiming)
  /** An event accepted by PutEvents. */
  | { kind: 'event'; busName: string; detailType: string; acceptedAt: number }
  /** A state machine execution, from StartExecution to its end. */
  | { kind: 'execution'; stateMachineArn: string; startedAt: number; stoppedAt: number; status: string };

/** When one batch of stream records was read and when its function had it (the stream relay's `onBatch`). */
export interface BatchTiming {
  /** The GetRecords call that returned the batch's first record: when it was sent, and when it answered. */
  requestedAt: number;
  /** When the shard's GetRecords call before that one was sent: the poll period is the time between the two. */
  previousRequestedAt?: number;
  readAt: number;
  invokedAt: number;
  doneAt: number;
  records: number;
}

export interface HopRecorder {
  mark(mark: HopMark): void;
}

/** Milliseconds since the epoch with sub-millisecond resolution, on the same clock in every thread. */
export function hopClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Keeps marks in arrival order until taken. */
export class HopLog implements HopRecorder {
  #marks: HopMark[] = [];
  #keeping = true;

  mark(mark: HopMark): void {
    if (this.#keeping) this.#marks.push(mark);
  }

  /** Keeps no more marks from here on (e.g. once the run that needs them is over). */
  stop(): void {
    this.#keeping = false;
    this.#marks = [];
  }

  /** The marks so far, and an empty log from here on. */
  take(): HopMark[] {
    const marks = this.#marks;
    this.#marks = [];
    return marks;
  }
}
