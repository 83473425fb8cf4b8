/**
 * A local EventBridge: PutEvents onto named buses, rule patterns evaluated with
 * AWS semantics (compiled at start, so an invalid pattern fails like PutRule does),
 * delivery to each matching target with the target's retry policy, and the rule's
 * dead-letter queue once retries or event age run out.
 */
import { randomUUID } from 'node:crypto';
import { compileEventPattern, type CompiledEventPattern } from '../../packages/event-pattern/index.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type RuleTargetTopology, type RuleTopology } from '../topology.ts';
import { Sleeps } from '../sleeps.ts';

export interface PutEventsEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: string | number | Date;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface BusEvent {
  version: '0';
  /** Set on events a replay re-sends, to the replay's name (as EventBridge does). */
  'replay-name'?: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/**
 * Delivers an event to one target; throws when the target did not accept it. An error with
 * `retryable: false` (e.g. an API destination answering 400) goes to the dead-letter queue at once.
 */
export type TargetDelivery = (target: RuleTargetTopology, input: unknown, rule: RuleTopology) => Promise<void>;

export interface DeadLetter {
  ruleArn: string;
  targetArn: string;
  queueLogicalId?: string;
  errorCode: string;
  errorMessage: string;
  event: BusEvent;
}

export interface LocalEventBusOptions {
  rules: RuleTopology[];
  deliver: TargetDelivery;
  onDeadLetter: (letter: DeadLetter) => void;
  /** Called for every event accepted on a bus, before rules are evaluated (archive, live view). */
  onEvent?: (busName: string, event: BusEvent) => void;
  /** Base delay of the exponential backoff between delivery attempts. */
  retryBaseDelayMs?: number;
}

interface CompiledRule {
  rule: RuleTopology;
  pattern: CompiledEventPattern;
}

function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const at = nameOrArn.indexOf(':event-bus/');
  return at >= 0 ? nameOrArn.slice(at + ':event-bus/'.length) : nameOrArn;
}

/** EventBridge renders time without milliseconds. */
function eventTime(time: PutEventsEntry['Time']): string {
  const date = time === undefined ? new Date() : time instanceof Date ? time : new Date(typeof time === 'number' ? time * 1000 : time);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function valueAt(event: unknown, path: string): unknown {
  if (path === '$') return event;
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), event);
}

export class LocalEventBus {
  private readonly rules: CompiledRule[];
  private readonly options: LocalEventBusOptions;
  private readonly inFlight = new Set<Promise<void>>();
  /** Wakes the deliveries waiting out a retry's backoff (up to a minute), so stopping does not wait for them. */
  private readonly backoffs = new Sleeps();
  private stopped = false;

  constructor(options: LocalEventBusOptions) {
    this.options = options;
    this.rules = options.rules
      .filter((rule) => rule.enabled)
      .map((rule) => ({ rule, pattern: compileEventPattern(rule.patternText) }));
  }

  putEvents(entries: PutEventsEntry[]): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
    const results = entries.map((entry) => this.putEvent(entry));
    return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
  }

  /** Deliveries started and not yet finished or dead-lettered (retries included). */
  inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves when every delivery started so far has finished or been dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying: a delivery waiting for its next attempt goes to the dead-letter queue with its last error. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.backoffs.wakeAll();
    await this.drain();
  }

  private putEvent(entry: PutEventsEntry): PutEventsResultEntry {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object' };
    }
    const busName = busNameOf(entry.EventBusName);
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: eventTime(entry.Time),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
    this.options.onEvent?.(busName, event);
    this.route(busName, event, () => true);
    return { EventId: event.id };
  }

  /**
   * Re-sends archived events of `busName` to the rules named in `ruleArns` only, like a replay
   * with `Destination.FilterArns`: each rule still applies its own pattern, and the events carry
   * `replay-name`. Replayed events are not archived again. Returns how many deliveries started.
   */
  replay(busName: string, events: Iterable<BusEvent>, ruleArns: readonly string[], replayName: string): number {
    let started = 0;
    for (const event of events) {
      started += this.route(busName, { ...event, 'replay-name': replayName }, (rule) => ruleArns.includes(rule.arn));
    }
    return started;
  }

  private route(busName: string, event: BusEvent, selected: (rule: RuleTopology) => boolean): number {
    let started = 0;
    for (const { rule, pattern } of this.rules) {
      if (rule.busName !== busName || !selected(rule) || !pattern.matchesEvent(event)) continue;
      for (const target of rule.targets) {
        this.track(this.deliver(rule, target, event));
        started += 1;
      }
    }
    return started;
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(rule: RuleTopology, target: RuleTargetTopology, event: BusEvent): Promise<void> {
    const input = target.input !== undefined ? JSON.parse(target.input) : target.inputPath ? valueAt(event, target.inputPath) : event;
    const firstAttempt = Date.now();
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= target.maximumRetryAttempts; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(60_000, (this.options.retryBaseDelayMs ?? 200) * 2 ** (attempt - 1));
        if (this.stopped || Date.now() + delay - firstAttempt > target.maximumEventAgeInSeconds * 1000) break;
        await this.backoffs.sleep(delay);
        if (this.stopped) break;
      }
      try {
        await this.options.deliver(target, input, rule);
        return;
      } catch (error) {
        lastError = error as Error;
        if ((error as { retryable?: boolean }).retryable === false) break;
      }
    }
    this.options.onDeadLetter({
      ruleArn: rule.arn,
      targetArn: target.arn,
      ...(target.deadLetterQueueLogicalId ? { queueLogicalId: target.deadLetterQueueLogicalId } : {}),
      errorCode: lastError?.name ?? 'Unknown',
      errorMessage: lastError?.message ?? 'Delivery gave up',
      event,
    });
  }
}
