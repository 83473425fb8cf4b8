/**
 * Runs one function's handler in its own worker thread, so each function has its
 * own `process.env` and module state, as it would in its own Lambda sandbox.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

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
  const cpuMs = () => {
    const { user, system } = process.threadCpuUsage(cpuBefore);
    return (user + system) / 1000;
  };
  try {
    const result = await (handler as (event: unknown, context: unknown) => Promise<unknown>)(event, lambdaContext);
    parentPort?.postMessage({ id, ok: true, result, cpuMs: cpuMs() });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ id, ok: false, error: { name: failure.name, message: failure.message, stack: failure.stack }, cpuMs: cpuMs() });
  }
});
parentPort?.postMessage({ ready: true });
