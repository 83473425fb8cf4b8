/**
 * The local cloud's own endpoints under `/_local/`, for people and scripts watching it (health,
 * executions, events, dead letters, the live feed, replays, schedules); they are not part of the deployed API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, writeJson } from './apigateway/http-api.ts';
import type { ReplayRequest } from './event-routing.ts';
import type { BusEvent } from './eventbridge/local-event-bus.ts';
import type { Feed } from './feed.ts';
import type { LocalScheduler } from './scheduler/local-scheduler.ts';
import type { LocalStepFunctions } from './stepfunctions/local-step-functions.ts';

export interface OperatorView {
  stackName: string;
  feed: Feed;
  stepFunctions: LocalStepFunctions;
  scheduler: LocalScheduler;
  deadLetters: Map<string, unknown[]>;
  eventBusDeliveries: Map<string, BusEvent[]>;
  replay: (request: ReplayRequest) => number;
}

export class OperatorRoutes {
  readonly #view: OperatorView;
  /** Open `/_local/feed` streams: they never end by themselves, so closing the server ends them. */
  readonly #feeds = new Set<ServerResponse>();

  constructor(view: OperatorView) {
    this.#view = view;
  }

  async handle(url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { feed, stepFunctions, scheduler, deadLetters, eventBusDeliveries, stackName } = this.#view;
    if (url.pathname === '/_local/replays' && request.method === 'POST') return this.#startReplay(request, response);
    if (url.pathname === '/_local/schedules') {
      return writeJson(response, 200, scheduler.schedules.map(({ name, periodMs, enabled }) => ({ name, periodMs, enabled })));
    }
    const scheduleRun = /^\/_local\/schedules\/([^/]+)\/runs$/.exec(url.pathname);
    if (scheduleRun && request.method === 'POST') {
      const name = decodeURIComponent(scheduleRun[1]!);
      if (!scheduler.schedules.some((schedule) => schedule.name === name)) return writeJson(response, 404, { message: `No schedule ${name}` });
      return writeJson(response, 200, await scheduler.runNow(name));
    }
    if (url.pathname === '/_local/health') return writeJson(response, 200, { status: 'ok', stack: stackName });
    if (url.pathname === '/_local/executions') {
      return writeJson(
        response,
        200,
        stepFunctions.listExecutions().map(({ history, ...summary }) => ({ ...summary, historyEvents: history.length })),
      );
    }
    if (url.pathname.startsWith('/_local/executions/')) {
      const execution = stepFunctions.describeExecution(decodeURIComponent(url.pathname.slice('/_local/executions/'.length)));
      return execution ? writeJson(response, 200, execution) : writeJson(response, 404, { message: 'No such execution' });
    }
    if (url.pathname === '/_local/events') {
      const orderId = url.searchParams.get('orderId');
      const events = feed
        .recent()
        .flatMap((item) => (item.kind === 'event' ? [item.event] : []))
        .filter((event) => !orderId || (event.detail as { orderId?: string }).orderId === orderId);
      return writeJson(response, 200, events);
    }
    if (url.pathname === '/_local/dead-letters') return writeJson(response, 200, Object.fromEntries(deadLetters));
    if (url.pathname === '/_local/event-bus-deliveries') return writeJson(response, 200, Object.fromEntries(eventBusDeliveries));
    if (url.pathname === '/_local/feed') return this.#streamFeed(url, request, response);
    writeJson(response, 404, { message: 'Not Found' });
  }

  /** Ends the open feed streams, so their clients see the end and the server can close. */
  closeFeeds(): void {
    for (const response of this.#feeds) response.end();
    this.#feeds.clear();
  }

  #streamFeed(url: URL, request: IncomingMessage, response: ServerResponse): void {
    const { feed } = this.#view;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // A client sees the stream open now, not at the first item (which may be long in coming).
    response.flushHeaders();
    const send = (item: unknown) => response.write(`data: ${JSON.stringify(item)}\n\n`);
    if (url.searchParams.get('replay') === 'true') feed.recent().forEach(send);
    const unsubscribe = feed.subscribe(send);
    this.#feeds.add(response);
    request.on('close', () => {
      unsubscribe();
      this.#feeds.delete(response);
    });
  }

  /** `POST /_local/replays` `{ "rule": "partner-erp", "from": "<iso>", "to": "<iso>" }`: what `npm run replay` calls. */
  async #startReplay(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = JSON.parse((await readBody(request))?.toString('utf8') || '{}') as { rule?: string; from?: string; to?: string; name?: string };
    const from = new Date(body.from ?? '');
    const to = new Date(body.to ?? '');
    if (!body.rule || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
      return writeJson(response, 400, { message: 'Give rule, and from < to as ISO 8601 times' });
    }
    try {
      const deliveries = this.#view.replay({ rule: body.rule, from, to, ...(body.name ? { name: body.name } : {}) });
      writeJson(response, 202, { rule: body.rule, from: from.toISOString(), to: to.toISOString(), deliveries });
    } catch (error) {
      writeJson(response, 404, { message: (error as Error).message });
    }
  }
}
