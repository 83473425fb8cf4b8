/**
 * Runs one function's handler in its own worker thread, so each function has its
 * own `process.env` and module state, as it would in its own Lambda sandbox.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { writesAnswered } from './write-watch.ts';

interface Invocation {
  id: number;
  event: unknown;
  context: Record<string, unknown>;
}

const { entryPath, exportName } = workerData as { entryPath: string; exportName: string };
const module = (await import(pathToFileURL(entryPath).href)) as Record<string, unknown>;
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error(`${entryPath} does not export a function named ${exportName}`);

parentPort?.on('message', async ({ id, event, context }: Invocation) => {
  const deadline = Date.now() + Number(context.timeoutMs);
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  // This thread's CPU time only (not the process's, shared with the other functions and the engines):
  // exact for one invocation at a time, shared between those that overlap in this worker.
  const cpuBefore = process.threadCpuUsage();
  // The handler's own wall time: the host's invocation time less this is the message round trip.
  const startedAt = performance.now();
  const writesBefore = writesAnswered.count;
  const timing = () => {
    const { user, system } = process.threadCpuUsage(cpuBefore);
    const endedAt = performance.now();
    // handlerEndedAt on the epoch clock every thread shares: the closest the host gets to a write's commit.
    // The last write answered during this invocation (shared between invocations that overlap in this worker).
    const lastWriteAt = writesAnswered.count > writesBefore ? writesAnswered.lastAt : undefined;
    return { cpuMs: (user + system) / 1000, handlerMs: endedAt - startedAt, handlerEndedAt: performance.timeOrigin + endedAt, lastWriteAt };
  };
  try {
    const result = await (handler as (event: unknown, context: unknown) => Promise<unknown>)(event, lambdaContext);
    parentPort?.postMessage({ id, ok: true, result, ...timing() });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ id, ok: false, error: { name: failure.name, message: failure.message, stack: failure.stack }, ...timing() });
  }
});
parentPort?.postMessage({ ready: true });
