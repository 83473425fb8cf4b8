/**
 * Where one order's time goes, hop by hop, from the local engines' marks (local/hop-recorder.ts)
 * of a run in which it was the only order in flight: the request answered, each write's wait for
 * the stream poller, the read, the publisher's PutEvents, the bus starting the workflow, each
 * step and the transitions between them, up to OrderShipmentRequested accepted on the bus. Then
 * the median, p90 and mean of each hop over the orders.
 */
import type { HopMark } from '../local/hop-recorder.ts';
import { percentile } from './percentile.ts';

type Mark<K extends HopMark['kind']> = Extract<HopMark, { kind: K }>;

export interface OrderPath {
  /** Route key of the request that places an order. */
  placeRoute: string;
  /** The workflow's task states in the order they run on the happy path, with their functions. */
  steps: Array<{ state: string; functionLogicalId: string }>;
  /** Detail type of the event the placing write produces, and of the one the last step's write produces. */
  placedEvent: string;
  finalEvent: string;
  /** Which write produces each event on the path: `place` or a step's state name, for the write → bus figures. */
  writers: Record<string, string>;
}

/** One order's hops in path order, milliseconds; a hop it did not go through is left out. */
export type OrderHops = Array<[hop: string, ms: number]>;

export interface HopRow {
  hop: string;
  orders: number;
  medianMs: number;
  p90Ms: number;
  meanMs: number;
}

/** The hop that shows the poller's wait; also the figure compared with the ~125 ms mean wait a 250 ms poll period gives. */
export const POLL_WAIT = 'write → GetRecords sent (poll wait)';
/** From the poll before the one that read the record to that one: the poller's period, Lambda's 250 ms when nothing else holds it up. */
export const POLL_PERIOD = 'poll period (previous GetRecords → the one that read it)';
export const WRITE_TO_BUS = 'write → event accepted on the bus (every event)';

function invocationsOf(marks: HopMark[], functionLogicalId: string): Array<Mark<'invocation'>> {
  return marks.filter((m): m is Mark<'invocation'> => m.kind === 'invocation' && m.functionLogicalId === functionLogicalId);
}

/** The stream batch whose invocation put the event: it was accepted while that invocation ran. */
function batchThatPut(marks: HopMark[], acceptedAt: number): Mark<'stream-batch'> | undefined {
  return marks.find((m): m is Mark<'stream-batch'> => m.kind === 'stream-batch' && m.invokedAt <= acceptedAt && acceptedAt <= m.doneAt);
}

function roundTrip(invocation: Mark<'invocation'>): number {
  return invocation.endedAt - invocation.startedAt - invocation.handlerMs;
}

/** The hops of one order, from the marks recorded while it alone went through the pipeline. */
export function orderHops(marks: readonly HopMark[], path: OrderPath): OrderHops {
  const all = [...marks];
  const hops: OrderHops = [];
  const http = all.find((m): m is Mark<'http'> => m.kind === 'http' && m.routeKey === path.placeRoute);
  if (!http) return hops;
  hops.push(['POST /orders answered', http.answeredAt - http.receivedAt]);
  const place = invocationsOf(all, http.functionLogicalId).find((m) => m.startedAt >= http.receivedAt);
  if (place) {
    hops.push(['  the handler', place.handlerMs]);
    hops.push(['  worker round trip', roundTrip(place)]);
    hops.push(['  HTTP API (authorizer, request, response)', http.answeredAt - http.receivedAt - (place.endedAt - place.startedAt)]);
  }

  const events = all.filter((m): m is Mark<'event'> => m.kind === 'event');
  const execution = all.find((m): m is Mark<'execution'> => m.kind === 'execution');
  const steps = path.steps.flatMap(({ state, functionLogicalId }) => {
    const invocation = invocationsOf(all, functionLogicalId).find((m) => !execution || (m.startedAt >= execution.startedAt && m.endedAt <= execution.stoppedAt));
    return invocation ? [{ state, invocation }] : [];
  });
  // A write is committed by the time DynamoDB answers it; failing that stamp, by the time its handler returns
  // (the worker's stamp, not the host's, which adds the message back).
  const writeEnd = (writer: string | undefined) => {
    const invocation = writer === 'place' ? place : steps.find((s) => s.state === writer)?.invocation;
    return invocation && (invocation.lastWriteAt ?? invocation.handlerEndedAt);
  };

  // A write's way to the bus: the poller's wait, the read, the publisher until PutEvents is accepted.
  const toBus = (event: Mark<'event'> | undefined, writtenAt: number | undefined) => {
    const batch = event && batchThatPut(all, event.acceptedAt);
    if (!event || !batch || writtenAt === undefined) return;
    if (batch.previousRequestedAt !== undefined) hops.push([`${event.detailType}: ${POLL_PERIOD}`, batch.requestedAt - batch.previousRequestedAt]);
    hops.push([`${event.detailType}: ${POLL_WAIT}`, batch.requestedAt - writtenAt]);
    hops.push([`${event.detailType}: GetRecords answered`, batch.readAt - batch.requestedAt]);
    hops.push([`${event.detailType}: read → publisher invoked`, batch.invokedAt - batch.readAt]);
    hops.push([`${event.detailType}: publisher invoked → PutEvents accepted`, event.acceptedAt - batch.invokedAt]);
    hops.push([`${event.detailType}: write → accepted on the bus`, event.acceptedAt - writtenAt]);
  };

  const placed = events.find((m) => m.detailType === path.placedEvent);
  toBus(placed, writeEnd('place'));
  if (placed && execution) hops.push(['bus → execution started', execution.startedAt - placed.acceptedAt]);
  let previous: { label: string; at: number } | undefined = execution && { label: 'execution started', at: execution.startedAt };
  for (const { state, invocation } of steps) {
    if (previous) hops.push([`${previous.label} → ${state} invoked`, invocation.startedAt - previous.at]);
    hops.push([state, invocation.endedAt - invocation.startedAt]);
    hops.push([`  ${state} worker round trip`, roundTrip(invocation)]);
    previous = { label: state, at: invocation.endedAt };
  }
  const final = events.find((m) => m.detailType === path.finalEvent);
  toBus(final, writeEnd(path.writers[path.finalEvent]));
  if (final) hops.push([`POST → ${path.finalEvent} accepted on the bus`, final.acceptedAt - http.receivedAt]);

  for (const event of events) {
    const writtenAt = writeEnd(path.writers[event.detailType]);
    if (writtenAt !== undefined) hops.push([WRITE_TO_BUS, event.acceptedAt - writtenAt]);
  }
  const invocations = all.filter((m): m is Mark<'invocation'> => m.kind === 'invocation' && !Number.isNaN(m.handlerMs));
  if (invocations.length > 0) hops.push(['worker round trips, all invocations of the order', invocations.reduce((sum, m) => sum + roundTrip(m), 0)]);
  return hops;
}

/** Median (nearest rank), p90 and mean of each hop over the orders, in the order hops first appear. */
export function summarizeHops(orders: readonly OrderHops[]): HopRow[] {
  const samples = new Map<string, number[]>();
  const counts = new Map<string, number>();
  for (const hops of orders) {
    const seen = new Set<string>();
    for (const [hop, ms] of hops) {
      if (!samples.has(hop)) samples.set(hop, []);
      samples.get(hop)!.push(ms);
      if (!seen.has(hop)) counts.set(hop, (counts.get(hop) ?? 0) + 1);
      seen.add(hop);
    }
  }
  return [...samples].map(([hop, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      hop,
      orders: counts.get(hop)!,
      medianMs: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      meanMs: sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length,
    };
  });
}

/** One aligned line per hop: median, p90, mean. */
export function formatHops(rows: readonly HopRow[]): string[] {
  const width = Math.max(4, ...rows.map((row) => row.hop.length));
  const ms = (value: number) => value.toFixed(1).padStart(8);
  return [
    `${'hop'.padEnd(width)}    median       p90      mean  orders`,
    ...rows.map((row) => `${row.hop.padEnd(width)}  ${ms(row.medianMs)}  ${ms(row.p90Ms)}  ${ms(row.meanMs)}  ${String(row.orders).padStart(6)}`),
  ];
}
