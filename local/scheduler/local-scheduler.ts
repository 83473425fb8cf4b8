/**
 * EventBridge Scheduler, locally: invokes each enabled schedule's function once per period,
 * never two runs of one schedule at once (a slow run delays the next, as a missed window would),
 * and runs a schedule on demand for tests and operators (`POST /_local/schedules/{name}/runs`).
 */
import type { ScheduleTopology } from '../topology.ts';

export interface LocalSchedulerOptions {
  schedules: readonly ScheduleTopology[];
  invoke: (functionLogicalId: string, input: unknown) => Promise<unknown>;
  /** Called when a scheduled run fails; the next period runs anyway, as on AWS without retries. */
  onError?: (schedule: ScheduleTopology, error: unknown) => void;
}

export class LocalScheduler {
  private readonly options: LocalSchedulerOptions;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(options: LocalSchedulerOptions) {
    this.options = options;
  }

  get schedules(): readonly ScheduleTopology[] {
    return this.options.schedules;
  }

  start(): void {
    for (const schedule of this.options.schedules) {
      if (!schedule.enabled || this.timers.has(schedule.name)) continue;
      const timer = setInterval(() => {
        if (this.running.has(schedule.name)) return;
        this.runNow(schedule.name).catch((error: unknown) => this.options.onError?.(schedule, error));
      }, schedule.periodMs);
      timer.unref();
      this.timers.set(schedule.name, timer);
    }
  }

  /** Runs the schedule's target now (or joins the run in progress) and returns what it returned. */
  runNow(name: string): Promise<unknown> {
    const schedule = this.options.schedules.find((candidate) => candidate.name === name);
    if (!schedule) throw new Error(`No schedule named ${name} (schedules: ${this.options.schedules.map((s) => s.name).join(', ')})`);
    const inProgress = this.running.get(name);
    if (inProgress) return inProgress;
    const run = this.options.invoke(schedule.functionLogicalId, schedule.input).finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await Promise.allSettled(this.running.values());
  }
}
