/**
 * What each sales channel sets for its orders (`config/channels.json`): how long an order waits before its
 * shipment is requested (the hold window, docs/decisions/0005-hold-window-and-timers.md) and how its payment
 * is awaited. Validated at synth (lib/channels-config.ts) and read again by the functions from one
 * environment variable (functions/environment.ts); pure, so both sides parse with the same schema.
 */
import * as z from 'zod';

/** The longest hold window and payment wait: a day, well inside EventBridge Scheduler's reach. */
export const MAX_TIMER_SECONDS = 86_400;

/** When a channel's orders take their stock: at placement (today's behaviour) or once paid. */
export const LOCK_STOCK_AT = ['placement', 'payment'] as const;
export type LockStockAt = (typeof LOCK_STOCK_AT)[number];

const paymentSchema = z.strictObject({
  /** Seconds a `PAYMENT_PENDING` order waits for its payment before it is cancelled (`PAYMENT_TIMEOUT`). */
  timeoutSeconds: z.number().int().min(60).max(MAX_TIMER_SECONDS),
  lockStockAt: z.enum(LOCK_STOCK_AT, { error: `must be ${LOCK_STOCK_AT.map((v) => `"${v}"`).join(' or ')}` }),
});

/** Channel names are the `channel` claim of the channel's tokens. */
const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,63}$/;

const channelSchema = z.strictObject({
  name: z.string().regex(CHANNEL_NAME, 'must be 1-64 lowercase letters, digits or dashes, starting with a letter'),
  description: z.string().max(512).optional(),
  /** Seconds between routing and the shipment request, during which the customer may amend or cancel; 0: none. */
  holdSeconds: z.number().int().min(0).max(MAX_TIMER_SECONDS).default(0),
  payment: paymentSchema.partial().optional(),
});

export const channelSettingsFileSchema = z
  .strictObject({ channels: z.array(channelSchema) })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    for (const [index, channel] of file.channels.entries()) {
      if (seen.has(channel.name)) context.addIssue({ code: 'custom', path: ['channels', index, 'name'], message: 'is already used by another channel' });
      seen.add(channel.name);
    }
  });

/** The validated file, as the functions receive it. */
export type ChannelSettingsFile = z.output<typeof channelSettingsFileSchema>;

/** One channel's settings with every default applied. */
export interface ChannelSettings {
  readonly name: string;
  readonly holdSeconds: number;
  readonly payment: { readonly timeoutSeconds: number; readonly lockStockAt: LockStockAt };
}

/** What a channel the file does not list gets: no hold window, half an hour to pay, stock locked at placement. */
export const DEFAULT_CHANNEL_SETTINGS: Omit<ChannelSettings, 'name'> = {
  holdSeconds: 0,
  payment: { timeoutSeconds: 1_800, lockStockAt: 'placement' },
};

/** No channel listed: every channel gets the defaults (today's behaviour). */
export const NO_CHANNEL_SETTINGS: ChannelSettingsFile = { channels: [] };

/** `channel`'s settings: its entry in the file over the defaults. */
export function channelSettingsOf(settings: ChannelSettingsFile, channel: string): ChannelSettings {
  const entry = settings.channels.find((candidate) => candidate.name === channel);
  return {
    name: channel,
    holdSeconds: entry?.holdSeconds ?? DEFAULT_CHANNEL_SETTINGS.holdSeconds,
    payment: { ...DEFAULT_CHANNEL_SETTINGS.payment, ...entry?.payment },
  };
}

/**
 * The file as the functions receive it: without descriptions, which no function reads and which would eat into
 * Lambda's 4 KB of environment.
 */
export function channelSettingsForFunctions(settings: ChannelSettingsFile): ChannelSettingsFile {
  return { channels: settings.channels.map(({ description: _description, ...channel }) => channel) };
}

/** `channels[2] ("live-shop").holdSeconds` rather than `channels.2.holdSeconds`. */
function describePath(path: readonly PropertyKey[], document: unknown): string {
  let text = '';
  for (const [index, key] of path.entries()) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      const channels = (document as { channels?: unknown[] } | undefined)?.channels;
      const name = index === 1 && path[0] === 'channels' ? (channels?.[key] as { name?: unknown } | undefined)?.name : undefined;
      if (typeof name === 'string') text += ` ("${name}")`;
    } else text += text ? `.${String(key)}` : String(key);
  }
  return text || '(file)';
}

function linesOf(issue: z.core.$ZodIssue, document: unknown): string[] {
  // One line per unknown key, at its own path: a misspelt setting must not pass as its default.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${describePath([...issue.path, key], document)}: is not a setting`);
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  return [`${describePath(issue.path, document)}: ${missing ? 'is required' : issue.message}`];
}

/** The validated file, or its problems, one line each naming the channel and field. */
export function parseChannelSettings(document: unknown): { settings: ChannelSettingsFile; issues: [] } | { settings?: undefined; issues: string[] } {
  const result = channelSettingsFileSchema.safeParse(document);
  if (result.success) return { settings: result.data, issues: [] };
  return { issues: result.error.issues.flatMap((issue) => linesOf(issue, document)) };
}
