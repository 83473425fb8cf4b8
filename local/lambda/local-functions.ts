/**
 * The stack's functions, by logical id. Created empty and loaded last: the engines that invoke
 * functions exist before the functions, whose environment points at those engines' endpoints.
 */
import type { HopRecorder } from '../hop-recorder.ts';
import type { FunctionTopology } from '../topology.ts';
import { LocalFunction } from './function-host.ts';

export interface FunctionStats {
  invocations: number;
  /** Wall time from the start of each invocation to its result, summed. */
  busyMs: number;
  /** CPU time of the function's thread during its invocations, summed. */
  cpuMs: number;
  /** Bytes written to stdout and stderr (its application logs). */
  logBytes: number;
}

export class LocalFunctions {
  readonly #functions = new Map<string, LocalFunction>();
  readonly #recorder: HopRecorder | undefined;

  /** `recorder` receives each invocation's timing (`npm run bench:latency`). */
  constructor(recorder?: HopRecorder) {
    this.#recorder = recorder;
  }

  /**
   * Hosts each function; its worker thread starts on its first invocation (a cold start), or now with
   * `warm`, which resolves once every handler has loaded (for measurements that must not see cold starts).
   */
  async load(
    functions: Iterable<FunctionTopology>,
    projectRoot: string,
    environment: Record<string, string>,
    logs?: NodeJS.WritableStream,
    { warm = false }: { warm?: boolean } = {},
  ): Promise<void> {
    for (const fn of functions) this.#functions.set(fn.logicalId, new LocalFunction(fn, projectRoot, { ...environment }, logs, undefined, this.#recorder));
    if (warm) await Promise.all([...this.#functions.values()].map((fn) => fn.whenReady()));
  }

  get size(): number {
    return this.#functions.size;
  }

  /** Starts these functions' threads now and resolves once their handlers have loaded. */
  async warm(logicalIds: Iterable<string>): Promise<void> {
    await Promise.all(
      [...logicalIds].map((logicalId) => {
        const fn = this.#functions.get(logicalId);
        if (!fn) throw new Error(`Function ${logicalId} is not part of the stack`);
        return fn.whenReady();
      }),
    );
  }

  /** How many functions have started their thread so far. */
  get started(): number {
    return [...this.#functions.values()].filter((fn) => fn.started).length;
  }

  invoke(logicalId: string, event: unknown): Promise<unknown> {
    const fn = this.#functions.get(logicalId);
    if (!fn) throw new Error(`Function ${logicalId} is not part of the stack`);
    return fn.invoke(event);
  }

  /** Invocations, time, CPU time and log bytes per function since start, e.g. to count what an order costs. */
  stats(): Record<string, FunctionStats> {
    return Object.fromEntries(
      [...this.#functions].map(([id, fn]) => [id, { invocations: fn.invocations, busyMs: fn.busyMs, cpuMs: fn.cpuMs, logBytes: fn.logBytes }]),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#functions.values()].map((fn) => fn.stop()));
  }
}
