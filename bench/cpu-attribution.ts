/**
 * Which part of the local pipeline a CPU profile's samples belong to. Pure: it reads V8 CPU
 * profiles (the `Profiler.stop` result of `node:inspector`, the `.cpuprofile` format) and sums
 * each sample's time into one component, decided by the sample's whole stack:
 *
 *   the first rule (in the order of CPU_RULES) that matches any frame of the stack wins.
 *
 * (A row marked "own frame" looks only at the sample's own frame, the nearest one with a URL: tracing code sits at the root of
 * every handler's stack, and async hooks run around every callback, so a stack-wide match would
 * take everything beneath them.)
 *
 * Leaf-most attribution alone would put jose's signature check under node:crypto and the
 * stream relay's GetRecords parsing under node:http; rules that look at the whole stack, with
 * the narrow components first, charge each to what asked for the work. Frames are matched by
 * their script URL relative to the project root (`functions/…`, `node_modules/jose/…`,
 * `node:_http_server`) and the thread they ran on (the main thread or a function's worker).
 *
 * | # | component          | thread | frames (script URL)                                                                          |
 * |---|--------------------|--------|----------------------------------------------------------------------------------------------|
 * | 1 | GC and program     | any    | the sample itself is `(garbage collector)` or `(program)` (V8 and native work outside JS)    |
 * | 2 | bench client       | main   | bench/**, undici (`fetch`): the load generator, not the pipeline                             |
 * | 3 | tracing context    | any    | own frame: node:internal/async_hooks, cls-hooked, aws-xray-sdk-core, @aws-lambda-powertools/tracer (the X-Ray SDK's context kept across callbacks with async hooks) |
 * | 4 | JWT                | any    | local/apigateway/jwt-authorizer.ts, node_modules/jose/                                       |
 * | 5 | crypto             | any    | node_modules/@aws-crypto/, node:crypto, node:internal/crypto/ (SigV4 hashing included)       |
 * | 6 | SDK serialisation  | any    | node_modules/@aws-sdk/, node_modules/@smithy/, node:_http_client, node:_http_agent           |
 * | 7 | worker messaging   | any    | local/lambda/, node:worker_threads, node:internal/worker/, node:internal/per_context/messageport |
 * | 8 | ASL interpreter    | any    | node_modules/aws-local-stepfunctions/, local/stepfunctions/                                  |
 * | 9 | bus matching       | any    | packages/event-pattern/ (also the relay's filter criteria), local/eventbridge/, local/event-routing.ts |
 * |10 | stream relay       | any    | local/dynamodb/stream-*, local/dynamodb/shard-backlog.ts, local/dynamodb/batch-response.ts    |
 * |11 | handlers           | any    | functions/ (with the libraries they call that no rule above claims: zod, Powertools, …)      |
 * |12 | SDK serialisation  | worker | node:_http_*, node:net, node:internal/stream_base_commons (a function's sockets: its SDK's)   |
 * |13 | HTTP layer         | main   | local/local-http-server.ts, local/apigateway/, local/aws-endpoint.ts, node:_http_*, node:net, node:internal/stream_base_commons |
 * |14 | other              | any    | everything else (other local engines, timers, module loading, …)                             |
 *
 * `(idle)` samples are not CPU: they are counted apart and left out of every total.
 * DynamoDB Local is a Java process with no frames here: its CPU time comes from /proc.
 */

export const COMPONENTS = [
  'HTTP layer',
  'JWT',
  'handlers',
  'SDK serialisation',
  'stream relay',
  'bus matching',
  'ASL interpreter',
  'worker messaging',
  'crypto',
  'tracing context',
  'GC and program',
  'other',
  'bench client',
] as const;
export type Component = (typeof COMPONENTS)[number];

export type ThreadKind = 'main' | 'worker';

/** One frame as V8 reports it; `url` is empty for native and V8-internal functions. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** A V8 CPU profile: times in microseconds; `timeDeltas[i]` is the time between sample i - 1 and sample i. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface Rule {
  component: Component;
  thread?: ThreadKind;
  /** Match only the sample's own frame (the nearest one with a script URL), not its callers. */
  ownFrame?: boolean;
  /** Script URL, relative to the project root for the project's own files. */
  matches(url: string): boolean;
}

const under = (...prefixes: string[]) => (url: string) => prefixes.some((prefix) => url.startsWith(prefix));
const NODE_NETWORK = under('node:_http_', 'node:http', 'node:net', 'node:internal/stream_base_commons');

/** The table above, in its order. */
export const CPU_RULES: readonly Rule[] = [
  { component: 'bench client', thread: 'main', matches: under('bench/', 'node:internal/deps/undici') },
  {
    component: 'tracing context',
    ownFrame: true,
    matches: under('node:internal/async_hooks', 'node_modules/cls-hooked/', 'node_modules/aws-xray-sdk-core/', 'node_modules/@aws-lambda-powertools/tracer/'),
  },
  { component: 'JWT', matches: under('local/apigateway/jwt-authorizer.ts', 'node_modules/jose/') },
  { component: 'crypto', matches: under('node_modules/@aws-crypto/', 'node:crypto', 'node:internal/crypto/') },
  { component: 'SDK serialisation', matches: under('node_modules/@aws-sdk/', 'node_modules/@smithy/', 'node:_http_client', 'node:_http_agent') },
  {
    component: 'worker messaging',
    matches: under('local/lambda/', 'node:worker_threads', 'node:internal/worker', 'node:internal/per_context/messageport'),
  },
  { component: 'ASL interpreter', matches: under('node_modules/aws-local-stepfunctions/', 'local/stepfunctions/') },
  { component: 'bus matching', matches: under('packages/event-pattern/', 'local/eventbridge/', 'local/event-routing.ts') },
  {
    component: 'stream relay',
    matches: under('local/dynamodb/stream-', 'local/dynamodb/shard-backlog.ts', 'local/dynamodb/batch-response.ts'),
  },
  { component: 'handlers', matches: under('functions/') },
  { component: 'SDK serialisation', thread: 'worker', matches: NODE_NETWORK },
  {
    component: 'HTTP layer',
    thread: 'main',
    matches: (url) => under('local/local-http-server.ts', 'local/apigateway/', 'local/aws-endpoint.ts')(url) || NODE_NETWORK(url),
  },
];

/** V8's pseudo-frames for time outside JavaScript. */
const NOT_JAVASCRIPT: Record<string, Component | 'idle'> = {
  '(garbage collector)': 'GC and program',
  '(program)': 'GC and program',
  '(idle)': 'idle',
};

/** A script URL as the rules see it: project files relative to the root, node_modules from their last `node_modules/`. */
export function relativeUrl(url: string, projectRootUrl: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + 1);
  const root = projectRootUrl.endsWith('/') ? projectRootUrl : `${projectRootUrl}/`;
  return url.startsWith(root) ? url.slice(root.length) : url;
}

/** A function as the top lists show it: name, file (relative) and 1-based line. */
export function functionLabel(frame: CallFrame, projectRootUrl: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return `${name} (native)`;
  return `${name} ${relativeUrl(frame.url, projectRootUrl)}:${frame.lineNumber + 1}`;
}

export interface Attribution {
  /** Microseconds of samples per component (idle left out). */
  byComponent: Partial<Record<Component, number>>;
  /** Microseconds of self time per function label, per component. */
  byFunction: Partial<Record<Component, Record<string, number>>>;
  /** Microseconds of `(idle)` samples: the thread waiting, not CPU. */
  idle: number;
}

export function emptyAttribution(): Attribution {
  return { byComponent: {}, byFunction: {}, idle: 0 };
}

/**
 * Adds one thread's profile to `into` (a fresh one when omitted). Each sample's time is the
 * delta to the next sample (the last sample's, to the profile's end), as DevTools counts it.
 */
export function attributeProfile(
  profile: CpuProfile,
  thread: ThreadKind,
  projectRootUrl: string,
  into: Attribution = emptyAttribution(),
  rules: readonly Rule[] = CPU_RULES,
): Attribution {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const componentOf = new Map<number, Component | 'idle'>();
  const decide = (leafId: number): Component | 'idle' => {
    const known = componentOf.get(leafId);
    if (known) return known;
    const leaf = byId.get(leafId)!;
    // Own keys only: a frame named `toString` or `constructor` is JavaScript.
    let decided = Object.hasOwn(NOT_JAVASCRIPT, leaf.callFrame.functionName) ? NOT_JAVASCRIPT[leaf.callFrame.functionName] : undefined;
    if (!decided) {
      const urls: string[] = [];
      for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) {
        const url = byId.get(id)!.callFrame.url;
        if (url) urls.push(relativeUrl(url, projectRootUrl));
      }
      const rule = rules.find(
        (candidate) =>
          (!candidate.thread || candidate.thread === thread) &&
          (candidate.ownFrame ? urls.length > 0 && candidate.matches(urls[0]!) : urls.some((url) => candidate.matches(url))),
      );
      decided = rule?.component ?? 'other';
    }
    componentOf.set(leafId, decided);
    return decided;
  };

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let sampledUntil = profile.startTime;
  for (const delta of deltas) sampledUntil += delta;
  for (let i = 0; i < samples.length; i++) {
    // V8 reports a negative delta now and then (clock adjustments): counted as nothing.
    const micros = Math.max(0, i + 1 < samples.length ? (deltas[i + 1] ?? 0) : profile.endTime - sampledUntil);
    const component = decide(samples[i]!);
    if (component === 'idle') {
      into.idle += micros;
      continue;
    }
    into.byComponent[component] = (into.byComponent[component] ?? 0) + micros;
    const label = functionLabel(byId.get(samples[i]!)!.callFrame, projectRootUrl);
    const functions = (into.byFunction[component] ??= {});
    functions[label] = (functions[label] ?? 0) + micros;
  }
  return into;
}

/** The `count` functions with the most self time in one component, most first. */
export function topFunctions(attribution: Attribution, component: Component, count = 5): Array<{ function: string; micros: number }> {
  return Object.entries(attribution.byFunction[component] ?? {})
    .map(([label, micros]) => ({ function: label, micros }))
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count);
}
