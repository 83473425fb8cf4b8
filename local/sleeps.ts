/**
 * The waits an engine sleeps in (retry backoffs, poll intervals): its stop wakes them, so stopping
 * does not wait out a backoff of up to a minute, and a sleep begun after the stop does not wait at all.
 * stop() cancels the timers with them, so nothing outlives the engine.
 */
export class Sleeps {
  readonly #waiting = new Set<() => void>();
  #woken = false;

  /** Resolves after `ms`, or as soon as it is woken: by `wakeAll`, or by the `wake` handed to `exposeWake`. */
  sleep(ms: number, exposeWake?: (wake: () => void) => void): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiting.add(wake);
      exposeWake?.(wake);
    });
  }

  wakeAll(): void {
    this.#woken = true;
    for (const wake of [...this.#waiting]) wake();
  }
}
