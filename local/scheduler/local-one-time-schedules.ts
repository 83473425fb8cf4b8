/**
 * EventBridge Scheduler's one-time schedules, locally, with what the handlers' SDK client relies on
 * (functions/timers/scheduler-timers.ts): CreateSchedule, GetSchedule and DeleteSchedule over Scheduler's
 * REST protocol, in the schedule groups the template declares (another group: ResourceNotFoundException),
 * a name taken once per group (ConflictException), `at(yyyy-mm-ddThh:mm:ss)` in UTC or the schedule's time
 * zone offset-free, the target function invoked with the schedule's input at that time, retried on failure
 * within the target's retry policy, and the schedule deleted after it ran when ActionAfterCompletion is
 * DELETE. Kept in the data directory, so a restart fires what was scheduled before it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FunctionTopology } from '../topology.ts';
import { Sleeps } from '../sleeps.ts';

export class SchedulerError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** A schedule as CreateSchedule takes it (the fields the local engine acts on). */
export interface OneTimeSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  State?: 'ENABLED' | 'DISABLED';
  Target: { Arn: string; RoleArn: string; Input?: string; RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } };
  CreationDate: number;
}

export interface LocalOneTimeSchedulesOptions {
  /** Schedule group names the template declares (`default` always exists). */
  groups: readonly string[];
  functions: Iterable<FunctionTopology>;
  invoke: (functionLogicalId: string, input: unknown) => Promise<unknown>;
  /** Where schedules survive a restart; in memory when omitted. */
  file?: string;
  /** First wait between retries of a failed target (Scheduler backs off exponentially, from about a second). */
  retryBaseDelayMs?: number;
  onError?: (name: string, error: unknown) => void;
}

/** `at(2026-12-04T17:00:00)`, a wall-clock time without zone. */
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
/** What Scheduler accepts as a name (1-64 of `[0-9a-zA-Z-_.]`). */
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
/** setTimeout's longest wait; a schedule further out waits in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const key = (group: string, name: string) => `${group}/${name}`;

export class LocalOneTimeSchedules {
  private readonly options: LocalOneTimeSchedulesOptions;
  private readonly groups: ReadonlySet<string>;
  private readonly functionByArn: ReadonlyMap<string, string>;
  private readonly schedules = new Map<string, OneTimeSchedule>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The run of each schedule under way, by `group/name`: a second start joins it rather than invoking twice. */
  private readonly firing = new Map<string, { schedule: OneTimeSchedule; run: Promise<void> }>();
  private readonly backoffs = new Sleeps();
  private stopped = false;
  /** Schedules run so far: what Scheduler bills (per invocation, not per created schedule), for the bench's cost table. */
  invocations = 0;

  constructor(options: LocalOneTimeSchedulesOptions) {
    this.options = options;
    this.groups = new Set(['default', ...options.groups]);
    this.functionByArn = new Map([...options.functions].map((fn) => [fn.arn, fn.logicalId]));
    if (options.file && existsSync(options.file)) {
      for (const schedule of JSON.parse(readFileSync(options.file, 'utf8')) as OneTimeSchedule[]) this.add(schedule);
    }
  }

  /** When the schedule runs (epoch ms), from its `at()` expression. */
  static dueAt(expression: string): number {
    const match = AT.exec(expression);
    if (!match) throw new SchedulerError('ValidationException', `Invalid Schedule Expression ${expression}: only at(yyyy-mm-ddThh:mm:ss) runs locally`, 400);
    return Date.parse(`${match[1]}Z`);
  }

  /** CreateSchedule: `POST /schedules/{Name}`. */
  create(name: string, input: Record<string, unknown>): { ScheduleArn: string } {
    const group = String(input.GroupName ?? 'default');
    if (!NAME.test(name)) throw new SchedulerError('ValidationException', `Invalid name ${name}`, 400);
    if (!this.groups.has(group)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    if (this.schedules.has(key(group, name))) throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`, 409);
    const target = input.Target as OneTimeSchedule['Target'] | undefined;
    if (!target?.Arn || !target.RoleArn) throw new SchedulerError('ValidationException', 'Target.Arn and Target.RoleArn are required', 400);
    if (!this.functionByArn.has(target.Arn)) throw new SchedulerError('ValidationException', `Target ${target.Arn} is not a function of this stack`, 400);
    const window = input.FlexibleTimeWindow as OneTimeSchedule['FlexibleTimeWindow'] | undefined;
    if (!window?.Mode) throw new SchedulerError('ValidationException', 'FlexibleTimeWindow is required', 400);
    const expression = String(input.ScheduleExpression ?? '');
    LocalOneTimeSchedules.dueAt(expression);
    const timezone = input.ScheduleExpressionTimezone as string | undefined;
    if (timezone !== undefined && timezone !== 'UTC') throw new SchedulerError('ValidationException', `Time zone ${timezone} is not run locally (UTC only)`, 400);
    const schedule: OneTimeSchedule = {
      Name: name,
      GroupName: group,
      ScheduleExpression: expression,
      ...(timezone ? { ScheduleExpressionTimezone: timezone } : {}),
      ActionAfterCompletion: (input.ActionAfterCompletion as OneTimeSchedule['ActionAfterCompletion']) ?? 'NONE',
      FlexibleTimeWindow: window,
      State: (input.State as OneTimeSchedule['State']) ?? 'ENABLED',
      Target: target,
      CreationDate: Date.now() / 1000,
    };
    this.add(schedule);
    this.save();
    return { ScheduleArn: this.arnOf(schedule) };
  }

  /** GetSchedule: `GET /schedules/{Name}?groupName=`. */
  get(name: string, group = 'default'): Record<string, unknown> {
    const schedule = this.schedules.get(key(group, name));
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return { ...schedule, Arn: this.arnOf(schedule), LastModificationDate: schedule.CreationDate };
  }

  /** DeleteSchedule: `DELETE /schedules/{Name}?groupName=`. */
  delete(name: string, group = 'default'): Record<string, never> {
    if (!this.schedules.has(key(group, name))) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    this.remove(key(group, name));
    this.save();
    return {};
  }

  /** Names of the schedules waiting to run, as `group/name`. */
  pending(): string[] {
    return [...this.schedules.keys()];
  }

  /** Runs a schedule now instead of at its time (tests, `npm start` demos), or joins its run under way; resolves once its target ran. */
  async runNow(group: string, name: string): Promise<void> {
    const schedule = this.schedules.get(key(group, name));
    if (!schedule) throw new Error(`No schedule ${name} in group ${group}`);
    clearTimeout(this.timers.get(key(group, name)));
    await this.fire(schedule);
  }

  /** Operations of Scheduler's REST protocol, for the local AWS endpoint. */
  handle(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): unknown {
    const match = /^\/schedules\/([^/]+)$/.exec(path);
    if (!match) throw new SchedulerError('UnknownOperationException', `${method} ${path} is not served locally`, 404);
    const name = decodeURIComponent(match[1]!);
    const group = query.get('groupName') ?? 'default';
    if (method === 'POST') return this.create(name, body);
    if (method === 'GET') return this.get(name, group);
    if (method === 'DELETE') return this.delete(name, group);
    throw new SchedulerError('UnknownOperationException', `${method} ${path} is not served locally`, 404);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.backoffs.wakeAll();
    await Promise.allSettled([...this.firing.values()].map(({ run }) => run));
  }

  private arnOf(schedule: OneTimeSchedule): string {
    return `arn:aws:scheduler:us-east-1:000000000000:schedule/${schedule.GroupName}/${schedule.Name}`;
  }

  private add(schedule: OneTimeSchedule): void {
    const id = key(schedule.GroupName, schedule.Name);
    this.schedules.set(id, schedule);
    if (schedule.State === 'ENABLED') this.arm(id, LocalOneTimeSchedules.dueAt(schedule.ScheduleExpression));
  }

  private arm(id: string, dueAt: number): void {
    const wait = Math.min(Math.max(0, dueAt - Date.now()), MAX_TIMEOUT_MS);
    const timer = setTimeout(() => {
      const schedule = this.schedules.get(id);
      if (!schedule) return;
      if (Date.now() < dueAt) return this.arm(id, dueAt);
      void this.fire(schedule);
    }, wait);
    timer.unref();
    this.timers.set(id, timer);
  }

  private remove(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.schedules.delete(id);
  }

  /** Invokes the target, retrying within its retry policy (Scheduler's defaults: 185 attempts, 24 hours); once at a time per schedule. */
  private fire(schedule: OneTimeSchedule): Promise<void> {
    const id = key(schedule.GroupName, schedule.Name);
    // Joined only by the same schedule: one re-created under the name while the old run retries is its own.
    const underWay = this.firing.get(id);
    if (underWay?.schedule === schedule) return underWay.run;
    const run = this.run(id, schedule).finally(() => {
      if (this.firing.get(id)?.run === run) this.firing.delete(id);
    });
    this.firing.set(id, { schedule, run });
    return run;
  }

  private async run(id: string, schedule: OneTimeSchedule): Promise<void> {
    const functionLogicalId = this.functionByArn.get(schedule.Target.Arn)!;
    const input = schedule.Target.Input === undefined ? {} : JSON.parse(schedule.Target.Input);
    const maxAttempts = 1 + (schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? 185);
    const maxAgeMs = (schedule.Target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
    const started = Date.now();
    this.invocations += 1;
    let ended = false;
    for (let attempt = 1; !this.stopped && !ended; attempt++) {
      try {
        await this.options.invoke(functionLogicalId, input);
        ended = true;
      } catch (error) {
        this.options.onError?.(schedule.Name, error);
        const wait = Math.min(60_000, (this.options.retryBaseDelayMs ?? 1_000) * 2 ** (attempt - 1));
        if (attempt >= maxAttempts || Date.now() + wait - started > maxAgeMs) ended = true;
        else await this.backoffs.sleep(wait);
      }
    }
    // Stopped before it ran or gave up: kept (in the file too), so the next start runs it.
    if (!ended) return;
    // One-time: it ran (or gave up); DELETE removes it, NONE keeps it, done, as Scheduler does.
    if (schedule.ActionAfterCompletion === 'DELETE' && this.schedules.get(id) === schedule) {
      this.remove(id);
      this.save();
    } else if (this.schedules.get(id) === schedule) this.timers.delete(id);
  }

  private save(): void {
    if (this.options.file) writeFileSync(this.options.file, JSON.stringify([...this.schedules.values()]));
  }
}
