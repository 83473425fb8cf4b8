/**
 * CPU profiles of this process's main thread and every worker thread, over a window the caller
 * chooses, through `node:inspector`. The workers are reached from the main thread's own inspector
 * session (the `NodeWorker` domain attaches to each worker's inspector), so the function host in
 * local/lambda needs no profiling code and runs as always when nothing profiles it.
 */
import { Session } from 'node:inspector/promises';
import type { CpuProfile } from './cpu-attribution.ts';

export interface ThreadProfile {
  thread: 'main' | 'worker';
  /** `main`, or the worker's name (a function's logical id) and thread id. */
  title: string;
  profile: CpuProfile;
}

interface WorkerTarget {
  sessionId: string;
  title: string;
}

interface WorkerReply {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

export class ThreadProfiler {
  readonly #session = new Session();
  readonly #workers = new Map<string, WorkerTarget>();
  /** Workers whose profiler `start` started: one that begins later is attached but not sampled. */
  readonly #sampled = new Set<string>();
  readonly #waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  /** Starts sampling every `intervalMicros` on the main thread and every worker alive now. */
  async start(intervalMicros = 1000): Promise<void> {
    this.#session.connect();
    this.#session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const { sessionId, workerInfo } = params as { sessionId: string; workerInfo: { workerId: string; title: string } };
      // Titles read `[worker <id>] <name>`; the function host names each worker after its function.
      const name = workerInfo.title.replace(/^\[worker \d+\]\s*/, '') || 'worker';
      this.#workers.set(sessionId, { sessionId, title: `${name} (thread ${workerInfo.workerId})` });
    });
    this.#session.on('NodeWorker.detachedFromWorker', ({ params }) => this.#workers.delete((params as { sessionId: string }).sessionId));
    this.#session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      const reply = JSON.parse((params as { message: string }).message) as WorkerReply;
      const waiting = reply.id === undefined ? undefined : this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id!);
      if (reply.error) waiting.reject(new Error(`worker inspector: ${reply.error.message}`));
      else waiting.resolve(reply.result);
    });
    // Workers already running are announced as this resolves.
    await this.#session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    for (const { sessionId } of this.#workers.values()) {
      await this.#toWorker(sessionId, 'Profiler.enable');
      await this.#toWorker(sessionId, 'Profiler.setSamplingInterval', { interval: intervalMicros });
    }
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
    // Started together last, so set-up is in no profile.
    for (const sessionId of this.#workers.keys()) this.#sampled.add(sessionId);
    await Promise.all([...this.#sampled].map((sessionId) => this.#toWorker(sessionId, 'Profiler.start')));
    await this.#session.post('Profiler.start');
  }

  /** Stops every profile started by `start` and returns them, the main thread's first. */
  async stop(): Promise<ThreadProfile[]> {
    const main = (await this.#session.post('Profiler.stop')) as { profile: CpuProfile };
    const workers = await Promise.all(
      [...this.#workers.values()].filter(({ sessionId }) => this.#sampled.has(sessionId)).map(async ({ sessionId, title }) => {
        const { profile } = (await this.#toWorker(sessionId, 'Profiler.stop')) as { profile: CpuProfile };
        return { thread: 'worker' as const, title, profile };
      }),
    );
    await this.#session.post('NodeWorker.disable');
    this.#session.disconnect();
    return [{ thread: 'main', title: 'main', profile: main.profile }, ...workers];
  }

  #toWorker(sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }
}
