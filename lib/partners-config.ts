/**
 * The partners file (`config/partners.json`): who receives which order events, where, with what
 * retry policy, and which personal data. Validated at synth, so a mistake fails `cdk synth` with
 * the partner and field it concerns instead of a deploy that half works.
 */
import * as z from 'zod';
import { ConfigFileError, readJsonFile } from './config-file.ts';
import { ALL_DETAIL_TYPES } from '../functions/domain/events.ts';
import {
  PERSONAL_DATA_FIELDS,
  PERSONAL_DATA_LEVELS,
  type PersonalDataField,
  type PersonalDataLevel,
} from '../functions/domain/personal-data.ts';
// The same matcher the local bus runs (checked against AWS's recorded outcomes), so a pattern
// AWS would reject with InvalidEventPatternException fails synth instead of the deploy.
import { compileEventPattern, InvalidEventPatternError } from '../packages/event-pattern/index.ts';

/** Partner names end up in rule and queue names: `partner-<name>`, `order-pipeline-<stage>-partner-<name>-dlq`. */
const PARTNER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** Secrets Manager's own name rule. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Amendments too: a partner holding personal data needs CustomerDataErased to erase its copy.
const ORDER_DETAIL_TYPES: readonly string[] = ALL_DETAIL_TYPES;

const secretName = z
  .string()
  .regex(SECRET_NAME, 'must be a Secrets Manager secret name (the secret holds the values; never put them in this file)');

const authSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('apiKey'),
      /** Header the key is sent in, e.g. `x-api-key`. */
      headerName: z.string().regex(/^[A-Za-z0-9-]{1,256}$/, 'must be an HTTP header name'),
      /** Secret with a JSON string `{ "apiKey": "..." }`. */
      secretName,
    }),
    z.strictObject({
      type: z.literal('basic'),
      /** Secret with `{ "username": "...", "password": "..." }`. */
      secretName,
    }),
    z.strictObject({
      type: z.literal('oauthClientCredentials'),
      tokenEndpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
      scope: z.string().min(1).optional(),
      /** Secret with `{ "clientId": "...", "clientSecret": "..." }`. */
      secretName,
    }),
  ],
  { error: (issue) => (issue.input === undefined ? 'is required' : 'must be "apiKey", "basic" or "oauthClientCredentials"') },
);

function endpointSchema(allowLoopbackHttp: boolean) {
  return z.url({ error: 'must be an absolute URL' }).superRefine((value, context) => {
    const url = new URL(value);
    const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
    if (url.protocol !== 'https:' && !(allowLoopbackHttp && loopbackHttp)) {
      context.addIssue({
        code: 'custom',
        message: 'must be https:// (API destinations only call HTTPS; plain http is accepted for loopback test servers in the local cloud only)',
      });
    }
  });
}

const retrySchema = z.strictObject({
  /** EventBridge keeps retrying an event for at most this long (60 s to 24 h). */
  maximumEventAgeSeconds: z.number().int().min(60).max(86_400),
  /** Retries after the first attempt (0 to 185). */
  maximumRetryAttempts: z.number().int().min(0).max(185),
});

const PERSONAL_DATA_CHOICES = `a level (${Object.keys(PERSONAL_DATA_LEVELS).join(', ')}) or a list of fields (${PERSONAL_DATA_FIELDS.join(', ')})`;
const personalDataSchema = z
  .union([z.string(), z.array(z.string())], { error: `must be ${PERSONAL_DATA_CHOICES}` })
  .optional()
  .superRefine((value, context) => {
    if (typeof value === 'string' && !(value in PERSONAL_DATA_LEVELS)) {
      context.addIssue({ code: 'custom', message: `unknown level "${value}": use ${PERSONAL_DATA_CHOICES}` });
    }
    for (const [index, field] of (Array.isArray(value) ? value : []).entries()) {
      if (!(PERSONAL_DATA_FIELDS as readonly string[]).includes(field)) {
        context.addIssue({ code: 'custom', path: [index], message: `unknown field "${field}": use ${PERSONAL_DATA_CHOICES}` });
      }
    }
  })
  .transform((value): readonly PersonalDataField[] =>
    value === undefined
      ? []
      : typeof value === 'string'
        ? PERSONAL_DATA_LEVELS[value as PersonalDataLevel]
        : [...new Set(value as PersonalDataField[])],
  );

/** Checks the pattern as EventBridge will see it, with the pipeline's `source` added. */
function checkEventPattern(pattern: Record<string, unknown>, context: z.RefinementCtx): void {
  if ('source' in pattern) {
    context.addIssue({ code: 'custom', path: ['source'], message: 'is set by the pipeline (partners only receive order events); remove it' });
    return;
  }
  try {
    compileEventPattern(JSON.stringify({ ...pattern, source: ['order-pipeline'] }));
  } catch (error) {
    if (!(error instanceof InvalidEventPatternError)) throw error;
    context.addIssue({ code: 'custom', message: `is not a valid EventBridge event pattern: ${error.reason}` });
    return;
  }
  // A misspelt type would make a valid pattern that never matches: catch exact values at least.
  const detailTypes = pattern['detail-type'];
  if (Array.isArray(detailTypes)) {
    for (const [index, value] of detailTypes.entries()) {
      if (typeof value === 'string' && !ORDER_DETAIL_TYPES.includes(value)) {
        context.addIssue({
          code: 'custom',
          path: ['detail-type', index],
          message: `"${value}" is not an order event type (${ORDER_DETAIL_TYPES.join(', ')})`,
        });
      }
    }
  }
}

function targetSchema(allowLoopbackHttp: boolean) {
  return z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('https'),
        endpoint: endpointSchema(allowLoopbackHttp),
        httpMethod: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
        /** Invocations per second EventBridge allows itself towards the endpoint (1-300). */
        rateLimitPerSecond: z.number().int().min(1).max(300).optional(),
        auth: authSchema,
      }),
      z.strictObject({ type: z.literal('eventBus'), eventBusArn: z.string().regex(EVENT_BUS_ARN, 'must be an event bus ARN') }),
    ],
    { error: (issue) => (issue.input === undefined ? 'is required' : 'must be "https" or "eventBus"') },
  );
}

function partnerSchema(allowLoopbackHttp: boolean) {
  return z
    .strictObject({
      name: z.string().regex(PARTNER_NAME, 'must be 1-32 lowercase letters, digits or dashes, starting with a letter'),
      description: z.string().max(512).optional(),
      /** EventBridge event pattern selecting the order events this partner receives. */
      events: z.record(z.string(), z.unknown()).superRefine(checkEventPattern),
      target: targetSchema(allowLoopbackHttp),
      /** @default EventBridge's own: 24 h, 185 retries */
      retry: retrySchema.default({ maximumEventAgeSeconds: 86_400, maximumRetryAttempts: 185 }),
      /** @default none: the bus event as is */
      personalData: personalDataSchema,
    })
    .superRefine((partner, context) => {
      if (partner.personalData.length > 0 && partner.target.type !== 'https') {
        context.addIssue({
          code: 'custom',
          path: ['personalData'],
          message:
            'is only delivered to https targets: an event put on another account\'s bus is visible to every rule and archive there',
        });
      }
    });
}

function fileSchema(allowLoopbackHttp: boolean) {
  return z.strictObject({ partners: z.array(partnerSchema(allowLoopbackHttp)) }).superRefine((file, context) => {
    const seen = new Set<string>();
    for (const [index, partner] of file.partners.entries()) {
      if (seen.has(partner.name)) context.addIssue({ code: 'custom', path: ['partners', index, 'name'], message: 'is already used by another partner' });
      seen.add(partner.name);
    }
  });
}

export type PartnerConfig = z.output<ReturnType<typeof partnerSchema>>;
export type PartnerTarget = PartnerConfig['target'];
export type PartnerAuth = z.output<typeof authSchema>;

/** The file is invalid; `issues` are one line each, naming the partner and field. */
export class PartnersConfigError extends ConfigFileError {
  constructor(source: string, issues: string[]) {
    super('partners', source, issues);
    this.name = 'PartnersConfigError';
  }
}

export interface ParsePartnersOptions {
  /** Where the document came from, for the error message. */
  readonly source?: string;
  /** Accept `http://127.0.0.1` style endpoints: only the local cloud can call them. */
  readonly allowLoopbackHttp?: boolean;
}

/** `partners[1] ("erp").target.eventBusArn` rather than `partners.1.target.eventBusArn`. */
function describePath(path: readonly PropertyKey[], document: unknown): string {
  let text = '';
  for (const [index, key] of path.entries()) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      const partners = (document as { partners?: unknown[] })?.partners;
      const name = index === 1 && path[0] === 'partners' ? (partners?.[key] as { name?: unknown })?.name : undefined;
      if (typeof name === 'string') text += ` ("${name}")`;
    } else text += text ? `.${String(key)}` : String(key);
  }
  return text || '(file)';
}

function messageOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'is required' : issue.message;
}

export function parsePartners(document: unknown, options: ParsePartnersOptions = {}): PartnerConfig[] {
  const result = fileSchema(options.allowLoopbackHttp ?? false).safeParse(document);
  if (result.success) return result.data.partners;
  throw new PartnersConfigError(
    options.source ?? 'partners',
    result.error.issues.map((issue) => `${describePath(issue.path, document)}: ${messageOf(issue)}`),
  );
}

export function loadPartners(file: string, options: Omit<ParsePartnersOptions, 'source'> = {}): PartnerConfig[] {
  const document = readJsonFile(file, (issues) => new PartnersConfigError(file, issues));
  return parsePartners(document, { ...options, source: file });
}
