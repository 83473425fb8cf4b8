import type { Node } from 'constructs';
import type { DeadlineSettings } from '../functions/domain/deadlines.ts';
import { deadlineSettingsFrom } from '../functions/reconciler/deadline-settings.ts';

/**
 * Every setting the app reads from CDK context (`-c key=value` or `cdk.json`), under one prefix so that they
 * cannot collide with CDK's own keys or another app's. `legacyKey` is an earlier spelling, still read, with a
 * deprecation warning at synth.
 */
export const CONTEXT_KEYS = {
  stage: { key: 'orderPipeline:stage', legacyKey: 'stage' },
  partners: { key: 'orderPipeline:partners', legacyKey: 'partners' },
  channels: { key: 'orderPipeline:channels' },
  retainData: { key: 'orderPipeline:retainData' },
  jwtIssuer: { key: 'orderPipeline:jwtIssuer' },
  jwtAudience: { key: 'orderPipeline:jwtAudience' },
  localRuntime: { key: 'orderPipeline:localRuntime', legacyKey: 'order-pipeline:local-runtime' },
  orderDeadlineSeconds: { key: 'orderPipeline:orderDeadlineSeconds' },
  maxRedrives: { key: 'orderPipeline:maxRedrives' },
  alarmEmails: { key: 'orderPipeline:alarmEmails' },
  consoleOrigins: { key: 'orderPipeline:consoleOrigins' },
  hostConsole: { key: 'orderPipeline:hostConsole' },
  orderIntake: { key: 'orderPipeline:orderIntake' },
  intakeDrainConcurrency: { key: 'orderPipeline:intakeDrainConcurrency' },
  /** Tooling only (bench/cold-start.ts `--contents`): each bundle also writes esbuild's metafile, `index.meta.json`, beside it. */
  bundleMetafile: { key: 'orderPipeline:bundleMetafile' },
} as const satisfies Record<string, { key: string; legacyKey?: string }>;

type Setting = keyof typeof CONTEXT_KEYS;

export const DEFAULT_STAGE = 'dev';
/** Partners file read when context names none; relative paths are from the repository root. */
export const DEFAULT_PARTNERS_FILE = 'config/partners.json';
/** Channels file (hold window and payment settings per channel) read when context names none; same rule for paths. */
export const DEFAULT_CHANNELS_FILE = 'config/channels.json';
/**
 * Tokens the API accepts unless context says otherwise. The `.invalid` issuer (RFC 2606) cannot resolve, so a
 * stack deployed without setting it accepts no token at all rather than someone else's; the local cloud signs its
 * development tokens for it.
 */
export const DEFAULT_JWT_ISSUER = 'https://auth.order-pipeline.invalid';
export const DEFAULT_JWT_AUDIENCE = 'order-pipeline';

/** Stages whose data is disposable unless `orderPipeline:retainData` says otherwise. */
const DISPOSABLE_STAGES: ReadonlySet<string> = new Set(['dev', 'test']);

/** The app's settings, as read from context. */
export interface PipelineContext {
  readonly stage: string;
  readonly partnersFile: string;
  readonly channelsFile: string;
  /** As set; `undefined` when not set, so that the stage decides (see {@link retainsDataByDefault}). */
  readonly retainData: boolean | undefined;
  /**
   * Set by the local runtime's synth (`local/cloud-assembly.ts`): partners may then use `http://127.0.0.1`
   * endpoints (test servers), which an API destination on AWS would refuse.
   */
  readonly localRuntime: boolean;
  readonly jwt: { readonly issuer: string; readonly audience: string[] };
  /** Deadlines of orders in flight and re-drives before giving up (docs/decisions/0002-self-healing-fulfilment.md). */
  readonly deadlines: DeadlineSettings;
  /** Subscribed to the alarm topic: a list in cdk.json, or comma-separated with `-c`. */
  readonly alarmEmails: string[];
  /** Origins the operations console is served from, allowed to call the API (CORS); same forms as `alarmEmails`. */
  readonly consoleOrigins: string[];
  /** Whether the stack hosts the console itself (S3 and CloudFront, `lib/console-hosting.ts`); off by default. */
  readonly hostConsole: boolean;
  /**
   * How `POST /orders` takes an order: `direct` writes it before answering 201; `queue` validates it, queues it and
   * answers 202, and a drainer lands it at the table's pace (the storage-first intake for bursts, docs/capacity.md).
   */
  readonly orderIntake: OrderIntakeMode;
  /** With `queue`: how many batches of 10 queued orders land at once, the drainer's reserved pace (2 to 1,000). */
  readonly intakeDrainConcurrency: number;
  /** One message per legacy key in use. */
  readonly deprecations: string[];
}

export const ORDER_INTAKE_MODES = ['direct', 'queue'] as const;
export type OrderIntakeMode = (typeof ORDER_INTAKE_MODES)[number];
/** Drains 50 × 10 orders per round trip: about 2,500 orders/s at 200 ms a batch, above the 2,100/s the table is sized for. */
export const DEFAULT_INTAKE_DRAIN_CONCURRENCY = 50;

/**
 * Whether a stack keeps its data when it, or a resource of it, is deleted, when `orderPipeline:retainData` is not
 * set: yes for every stage but `dev` and `test`, so that a stage someone forgot to classify errs on the safe side.
 * Not for the local runtime's synth, whose data lives in its data directory and never in CloudFormation.
 */
export function retainsDataByDefault(stage: string, localRuntime: boolean): boolean {
  return !localRuntime && !DISPOSABLE_STAGES.has(stage);
}

/**
 * Reads the app's settings from the context `node` sees.
 * @throws Error when a value has the wrong form, or an old and a new spelling of a key disagree
 */
export function readPipelineContext(node: Node): PipelineContext {
  const deprecations: string[] = [];
  const read = (setting: Setting): unknown => {
    const spec: { key: string; legacyKey?: string } = CONTEXT_KEYS[setting];
    const value = node.tryGetContext(spec.key);
    if (spec.legacyKey === undefined) return value;
    const legacy = node.tryGetContext(spec.legacyKey);
    if (legacy === undefined) return value;
    if (value !== undefined && String(value) !== String(legacy)) {
      throw new Error(`Context ${spec.key}=${String(value)} and ${spec.legacyKey}=${String(legacy)} disagree: drop "${spec.legacyKey}" (deprecated)`);
    }
    deprecations.push(`Context key "${spec.legacyKey}" is deprecated: use "${spec.key}" (-c ${spec.key}=${String(legacy)})`);
    return legacy;
  };

  const audience = read('jwtAudience') ?? DEFAULT_JWT_AUDIENCE;
  return {
    stage: String(read('stage') ?? DEFAULT_STAGE),
    partnersFile: String(read('partners') ?? DEFAULT_PARTNERS_FILE),
    channelsFile: String(read('channels') ?? DEFAULT_CHANNELS_FILE),
    retainData: optionalBoolean(CONTEXT_KEYS.retainData.key, read('retainData')),
    localRuntime: optionalBoolean(CONTEXT_KEYS.localRuntime.key, read('localRuntime')) ?? false,
    jwt: {
      issuer: String(read('jwtIssuer') ?? DEFAULT_JWT_ISSUER),
      audience: (Array.isArray(audience) ? audience.map(String) : String(audience).split(','))
        .map((a) => a.trim())
        .filter(Boolean),
    },
    deadlines: deadlineSettingsFrom({
      ORDER_DEADLINE_SECONDS: read('orderDeadlineSeconds')?.toString(),
      MAX_REDRIVES: read('maxRedrives')?.toString(),
    }),
    alarmEmails: checkedList(CONTEXT_KEYS.alarmEmails.key, read('alarmEmails'), EMAIL, 'e-mail addresses'),
    consoleOrigins: checkedList(CONTEXT_KEYS.consoleOrigins.key, read('consoleOrigins'), ORIGIN, 'origins (https://host[:port], no path)'),
    hostConsole: optionalBoolean(CONTEXT_KEYS.hostConsole.key, read('hostConsole')) ?? false,
    orderIntake: oneOf(CONTEXT_KEYS.orderIntake.key, read('orderIntake') ?? 'direct', ORDER_INTAKE_MODES),
    intakeDrainConcurrency: integerIn(CONTEXT_KEYS.intakeDrainConcurrency.key, read('intakeDrainConcurrency') ?? DEFAULT_INTAKE_DRAIN_CONCURRENCY, 2, 1000),
    deprecations,
  };
}

/** Enough to refuse a typo at synth (SNS would accept the subscription and never deliver). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * What API Gateway accepts as a CORS origin: a scheme and host (and port), nothing after. `*` is
 * refused here on purpose: the console needs only where it is hosted.
 */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

function checkedList(key: string, value: unknown, form: RegExp, what: string): string[] {
  if (value === undefined) return [];
  const items = (Array.isArray(value) ? value.map(String) : String(value).split(',')).map((e) => e.trim()).filter(Boolean);
  const invalid = items.filter((item) => !form.test(item));
  if (invalid.length > 0) throw new Error(`Context ${key}: not ${what}: ${invalid.join(', ')}`);
  return items;
}

function oneOf<Value extends string>(key: string, value: unknown, values: readonly Value[]): Value {
  if (values.includes(value as Value)) return value as Value;
  throw new Error(`Context ${key} must be one of ${values.join(', ')}, not ${JSON.stringify(value)}`);
}

// Lambda's event source mappings take a maximum concurrency of 2 to 1,000.
function integerIn(key: string, value: unknown, min: number, max: number): number {
  const number = Number(value);
  if (Number.isInteger(number) && number >= min && number <= max) return number;
  throw new Error(`Context ${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
}

// `-c key=true` arrives as the string "true", cdk.json and in-process apps give a boolean.
function optionalBoolean(key: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, not ${JSON.stringify(value)}`);
}
