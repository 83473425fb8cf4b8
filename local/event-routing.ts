/**
 * The order bus and what its rules deliver to: workflows, functions, partners' API destinations
 * (directly or through a pipe with enrichment), other accounts' buses (recorded), with every event
 * archived for replays and every delivery on the feed.
 */
import { join } from 'node:path';
import { ApiDestinationCaller, type LocalSecrets } from './eventbridge/api-destination.ts';
import { LocalArchive } from './eventbridge/local-archive.ts';
import { LocalEventBus, type BusEvent, type DeadLetter } from './eventbridge/local-event-bus.ts';
import type { DeadLetterQueues } from './dead-letters.ts';
import type { Feed } from './feed.ts';
import { hopClock, type HopRecorder } from './hop-recorder.ts';
import { LocalPipe } from './pipes/local-pipe.ts';
import type { LocalStepFunctions } from './stepfunctions/local-step-functions.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type ApiDestinationTopology, type Topology } from './topology.ts';

/** Which archived events to re-send, and to which rule (`Destination.FilterArns` of a replay). */
export interface ReplayRequest {
  /** Rule name on the order bus, e.g. `partner-erp`. */
  rule: string;
  from: Date;
  to: Date;
  /** @default `local-<rule>-<time>` */
  name?: string;
}

export interface EventRoutingOptions {
  topology: Topology;
  feed: Feed;
  deadLetters: DeadLetterQueues;
  stepFunctions: LocalStepFunctions;
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  /** Stand-in for Secrets Manager: the values of the secrets partner connections name. */
  secrets: LocalSecrets;
  dataDir?: string;
  retryBaseDelayMs?: number;
  /** Start each state machine target twice per event (fault injection: EventBridge delivers at least once). */
  duplicateDeliveries?: boolean;
  /** Told when each event is accepted (`npm run bench:latency`). */
  recorder?: HopRecorder;
}

export interface EventRouting {
  bus: LocalEventBus;
  /** Events delivered to event bus targets in other accounts (partner buses), by bus ARN. */
  eventBusDeliveries: Map<string, BusEvent[]>;
  replay(request: ReplayRequest): number;
  /** Resolves once the bus and the pipes have nothing under way. */
  drain(): Promise<void>;
  /** Bus deliveries and pipe messages under way. */
  inFlight(): number;
  stop(): Promise<void>;
}

export function startEventRouting(options: EventRoutingOptions): EventRouting {
  const { topology, feed, deadLetters, stepFunctions, invoke } = options;
  const apiDestinations = new ApiDestinationCaller(options.secrets);
  const eventBusDeliveries = new Map<string, BusEvent[]>();
  const callApiDestination = async (rule: string, destination: ApiDestinationTopology, event: unknown) => {
    const at = new Date().toISOString();
    const about = { rule, destination: destination.endpoint, detailType: (event as BusEvent)['detail-type'] };
    try {
      const status = await apiDestinations.call(destination, event);
      feed.publish({ kind: 'delivery', at, ...about, outcome: 'delivered', status });
    } catch (error) {
      feed.publish({ kind: 'delivery', at, ...about, outcome: 'failed', error: (error as Error).message });
      throw error;
    }
  };

  const queues = new Map(topology.queues.map((queue) => [queue.logicalId, queue]));
  const pipes = new Map(
    topology.pipes.map((pipe) => {
      const queue = queues.get(pipe.sourceQueueLogicalId)!;
      const local = new LocalPipe({
        pipe,
        sourceQueueArn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${queue.name}`,
        // SQS keeps retrying a message without a redrive policy until it expires; 10 stands in for that.
        maxReceiveCount: queue.redrive?.maxReceiveCount ?? 10,
        ...(pipe.enrichmentFunctionLogicalId ? { enrich: (messages: unknown[]) => invoke(pipe.enrichmentFunctionLogicalId!, messages) } : {}),
        deliver: (payload) => callApiDestination(`pipe ${queue.name}`, pipe.target, payload),
        onDeadLetter: (letter) => deadLetters.send(queue.redrive?.deadLetterQueueLogicalId, letter),
        ...(options.retryBaseDelayMs !== undefined ? { visibilityTimeoutMs: options.retryBaseDelayMs } : {}),
      });
      return [pipe.sourceQueueLogicalId, local] as const;
    }),
  );

  const archive = new LocalArchive(options.dataDir ? join(options.dataDir, 'events-archive.jsonl') : undefined);
  const bus = new LocalEventBus({
    rules: topology.rules,
    deliver: async (target, input, rule) => {
      if (target.kind === 'stateMachine') {
        stepFunctions.startExecution(target.arn, input);
        if (options.duplicateDeliveries) stepFunctions.startExecution(target.arn, input);
      } else if (target.kind === 'function' && target.logicalId) await invoke(target.logicalId, input);
      else if (target.kind === 'apiDestination' && target.apiDestination) await callApiDestination(rule.name, target.apiDestination, input);
      else if (target.kind === 'queue' && pipes.has(target.logicalId!)) pipes.get(target.logicalId!)!.send(JSON.stringify(input));
      else if (target.kind === 'eventBus') {
        const event = input as BusEvent;
        eventBusDeliveries.set(target.arn, [...(eventBusDeliveries.get(target.arn) ?? []), event]);
        const at = new Date().toISOString();
        feed.publish({ kind: 'delivery', at, rule: rule.name, destination: target.arn, detailType: event['detail-type'], outcome: 'delivered' });
      } else throw Object.assign(new Error(`Target ${target.arn} is not run locally`), { name: 'UnsupportedTarget' });
    },
    onDeadLetter: (letter: DeadLetter) => deadLetters.send(letter.queueLogicalId, letter),
    onEvent: (busName, event) => {
      options.recorder?.mark({ kind: 'event', busName, detailType: event['detail-type'], acceptedAt: hopClock() });
      archive.append(busName, event);
      feed.publish({ kind: 'event', at: new Date().toISOString(), busName, event });
    },
    ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
  });

  return {
    bus,
    eventBusDeliveries,
    replay: (request) => {
      const rule = topology.rules.find((candidate) => candidate.name === request.rule);
      if (!rule) throw new Error(`No rule named ${request.rule} (rules: ${topology.rules.map((r) => r.name).join(', ')})`);
      const name = request.name ?? `local-${rule.name}-${Date.now()}`;
      return bus.replay(rule.busName, archive.events(rule.busName, request.from, request.to), [rule.arn], name);
    },
    inFlight: () => bus.inFlightCount() + [...pipes.values()].reduce((sum, pipe) => sum + pipe.inFlightCount(), 0),
    drain: async () => {
      await bus.drain();
      await Promise.all([...pipes.values()].map((pipe) => pipe.drain()));
    },
    stop: async () => {
      await bus.stop();
      await Promise.all([...pipes.values()].map((pipe) => pipe.stop()));
    },
  };
}
