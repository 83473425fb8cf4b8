/**
 * Hosts the stack's functions locally: each in a worker thread with the environment
 * the template gives it (names resolved to local resources) plus the SDK endpoint
 * variables that point it at the local services. Invoking one resembles Lambda's
 * Invoke: the result, or an error carrying the handler's error name.
 *
 * A Lambda sandbox serves one request at a time; a worker serves many at once, so
 * a burst would share one SDK client's sockets and time out together. Invocations
 * beyond `maxConcurrent` wait in a queue, and a function's timeout runs from the
 * moment its invocation starts, as on Lambda.
 *
 * A function's thread starts on its first invocation, as a Lambda sandbox starts on a cold
 * start: a cloud with ninety functions of which a run uses a handful does not pay for every
 * thread importing the source tree (`whenReady` starts it ahead, to warm a function on purpose).
 */
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { hopClock, type HopRecorder } from '../hop-recorder.ts';
import type { FunctionTopology } from '../topology.ts';

/** A handler error as Lambda reports it: `name` is the errorType Step Functions matches on. */
export class FunctionError extends Error {
  readonly functionName: string;
  constructor(functionName: string, name: string, message: string) {
    super(message);
    this.name = name;
    this.functionName = functionName;
  }
}

export class FunctionTimeout extends Error {
  override name = 'States.Timeout';
}

/** What the worker says of the handler's run: its wall time, when it returned and when its last DynamoDB write was answered (epoch ms). */
interface HandlerTiming {
  handlerMs?: number;
  handlerEndedAt?: number;
  lastWriteAt?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  /** Filled in with the handler's wall time inside the worker when it answers. */
  timing: HandlerTiming;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class LocalFunction {
  readonly topology: FunctionTopology;
  private readonly projectRoot: string;
  private readonly env: Record<string, string>;
  private readonly logs: NodeJS.WritableStream | undefined;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private ready: Promise<void> | undefined;
  private nextId = 0;
  private readonly maxConcurrent: number;
  private readonly recorder: HopRecorder | undefined;
  private running = 0;
  private stopped = false;
  private readonly queue: Array<() => void> = [];
  invocations = 0;
  /** Time invocations ran (from start to result), summed: what Lambda would bill as duration. */
  busyMs = 0;
  /** CPU time of the function's own thread during its invocations, summed. */
  cpuMs = 0;
  /** Bytes the function wrote to stdout and stderr: what its log group would ingest, before Lambda's own lines. */
  logBytes = 0;

  /** `logs` receives the function's stdout and stderr (its Powertools JSON logs), like its log group would. */
  constructor(
    topology: FunctionTopology,
    projectRoot: string,
    env: Record<string, string>,
    logs?: NodeJS.WritableStream,
    maxConcurrent = 16,
    recorder?: HopRecorder,
  ) {
    this.topology = topology;
    this.projectRoot = projectRoot;
    this.env = env;
    this.logs = logs;
    this.maxConcurrent = maxConcurrent;
    this.recorder = recorder;
  }

  /** Whether the function's thread has been started (by an invocation or `whenReady`). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the function's thread if it has not started, and resolves once it has loaded its handler. */
  whenReady(): Promise<void> {
    this.ready ??= this.start();
    return this.ready;
  }

  private start(): Promise<void> {
    const { topology, logs } = this;
    const worker = new Worker(new URL('./function-worker.ts', import.meta.url), {
      workerData: { entryPath: resolve(this.projectRoot, topology.entry), exportName: topology.exportName },
      // Names the thread in inspector titles (a debugger's list, `npm run bench:profile`'s threads).
      name: topology.logicalId,
      env: { ...this.env, ...topology.environment, AWS_LAMBDA_FUNCTION_NAME: topology.logicalId },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    for (const stream of [worker.stdout, worker.stderr]) {
      // Written, not piped: fourteen functions piping into one file would stack up listeners on it.
      stream.on('data', (chunk: Buffer) => {
        this.logBytes += chunk.length;
        logs?.write(chunk);
      });
    }
    worker.on('message', (message: { id?: number; ok?: boolean; result?: unknown; error?: { name: string; message: string }; cpuMs?: number } & HandlerTiming) => {
      if (message.id === undefined) return;
      this.cpuMs += message.cpuMs ?? 0;
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.timing.handlerMs = message.handlerMs;
      pending.timing.handlerEndedAt = message.handlerEndedAt;
      pending.timing.lastWriteAt = message.lastWriteAt;
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new FunctionError(topology.logicalId, message.error?.name ?? 'Error', message.error?.message ?? ''));
    });
    return new Promise((resolveReady, rejectReady) => {
      // The thread ended while loading: a crash fails the invocations waiting for it (a stop is handled in invoke).
      const onExit = (code: number) => rejectReady(new Error(`${topology.logicalId} stopped (exit code ${code}) before its handler loaded`));
      const onMessage = (message: { ready?: boolean }) => {
        if (!message.ready) return;
        worker.off('message', onMessage);
        worker.off('error', rejectReady);
        worker.off('exit', onExit);
        resolveReady();
      };
      worker.on('message', onMessage);
      worker.once('error', rejectReady);
      worker.once('exit', onExit);
    });
  }

  async invoke(event: unknown): Promise<unknown> {
    // A stopped cloud runs nothing more: no worker starts, and the caller (an execution still running)
    // waits for good, as it would on a sandbox that is gone. A rejection would send it into its
    // compensation and retry timers that keep the process alive for a cloud that no longer exists.
    if (this.stopped) return new Promise(() => undefined);
    try {
      await this.whenReady();
    } catch (error) {
      // The thread ended while loading because the cloud stopped: the same as arriving after the stop.
      if (this.stopped) return new Promise(() => undefined);
      throw error;
    }
    this.invocations += 1;
    // A queued invocation is handed its slot by the one finishing (see below), so it counts as running already.
    if (this.running >= this.maxConcurrent) await new Promise<void>((start) => this.queue.push(start));
    else this.running += 1;
    const started = performance.now();
    const startedAt = this.recorder ? hopClock() : 0;
    const timing: HandlerTiming = {};
    try {
      return await this.dispatch(event, timing);
    } finally {
      this.busyMs += performance.now() - started;
      if (this.recorder) {
        const endedAt = hopClock();
        const { handlerMs = NaN, handlerEndedAt = endedAt, lastWriteAt } = timing;
        const { logicalId } = this.topology;
        this.recorder.mark({ kind: 'invocation', functionLogicalId: logicalId, startedAt, endedAt, handlerMs, handlerEndedAt, ...(lastWriteAt ? { lastWriteAt } : {}) });
      }
      // The slot goes straight to the invocation waiting longest: freed and then taken, an invocation
      // arriving in between would take it too, and one more than maxConcurrent would run.
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  private dispatch(event: unknown, timing: HandlerTiming): Promise<unknown> {
    const id = this.nextId++;
    const timeoutMs = this.topology.timeoutSeconds * 1000;
    return new Promise((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectPromise(new FunctionTimeout(`${this.topology.logicalId} timed out after ${this.topology.timeoutSeconds} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolvePromise, reject: rejectPromise, timer, timing });
      this.worker!.postMessage({
        id,
        event,
        context: {
          functionName: this.topology.logicalId,
          functionVersion: '$LATEST',
          invokedFunctionArn: this.topology.arn,
          memoryLimitInMB: String(this.topology.memoryMb),
          awsRequestId: randomUUID(),
          logGroupName: `/aws/lambda/${this.topology.logicalId}`,
          logStreamName: 'local',
          timeoutMs,
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    await this.worker?.terminate();
  }
}
