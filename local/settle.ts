/**
 * Waiting for the local cloud to come to rest: streams feed the bus, the bus starts workflows and
 * functions, workflows write the table; each engine is drained in that order until a whole round adds
 * nothing to the feed. Out of time it throws, naming what is still under way, so a test fails at the
 * wait rather than later on an assertion about a flow that had not finished.
 */
import type { Feed } from './feed.ts';

/** The parts of the cloud a settle drains, and what each can say is still under way. */
export interface SettlingParts {
  feed: Pick<Feed, 'size'>;
  sqs: { drain(timeoutMs: number): Promise<void>; depths(): Record<string, number> };
  streams: { drain(timeoutMs: number): Promise<void> };
  routing: { drain(): Promise<void>; inFlight(): number };
  stepFunctions: { drain(): Promise<void>; runningCount(): number };
}

export async function settle(parts: SettlingParts, timeoutMs = 60_000): Promise<void> {
  const { feed, sqs, streams, routing, stepFunctions } = parts;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const underWay = () => {
    const queues = Object.entries(sqs.depths()).filter(([, depth]) => depth > 0).map(([name, depth]) => `queue ${name}: ${depth} message(s)`);
    return [...queues, `${routing.inFlight()} bus or pipe delivery(ies)`, `${stepFunctions.runningCount()} execution(s) running`].join(', ');
  };
  let seen = -1;
  try {
    for (;;) {
      const before = feed.size();
      await sqs.drain(left());
      await streams.drain(left());
      await within(routing.drain(), left(), 'the bus and pipes did not finish their deliveries');
      await within(stepFunctions.drain(), left(), 'workflow executions did not end');
      if (before === seen && feed.size() === before) return;
      seen = feed.size();
      if (Date.now() >= deadline) throw new Error('the feed was still growing');
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The local cloud did not settle within ${timeoutMs} ms: ${reason}; still under way: ${underWay()}`, { cause: error });
  }
}

/** `work`, or a rejection once `ms` have passed (the work itself goes on). */
async function within(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  try {
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
