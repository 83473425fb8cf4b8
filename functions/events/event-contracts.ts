/**
 * The published forms of the order event schemas in `domain/events.ts`:
 *
 * - per event type, a JSON Schema (draft 2020-12) of the event, i.e. the EventBridge
 *   `detail` (`contracts/events/<DetailType>.v<major>.json`);
 * - an AsyncAPI 3.0 document with the bus as channel and every event type as a message
 *   whose payload is the whole EventBridge event (`contracts/asyncapi.json`);
 * - per event type, the whole EventBridge event as JSON Schema draft 4, the newest
 *   draft the EventBridge schema registry accepts (besides OpenAPI 3), for the stack.
 *
 * All are generated from the zod schemas the publisher parses every event with;
 * `npm run contracts` writes the files and a test fails when they are stale.
 */
import * as z from 'zod';
import { EVENT_SCHEMA_VERSION, PUBLISHED_EVENT_SCHEMAS } from '../domain/events.ts';

export type JsonSchema = Record<string, unknown>;

export interface EventContract {
  detailType: string;
  description: string;
  /** Path of the detail schema, relative to the repository root. */
  file: string;
  /** JSON Schema draft 2020-12 of the event (the EventBridge `detail`). */
  detailSchema: JsonSchema;
  /** JSON Schema draft 4 of the whole EventBridge event, for the schema registry. */
  registrySchema: JsonSchema;
}

const MAJOR_VERSION = EVENT_SCHEMA_VERSION.split('.')[0];

/** Where the per-event-type schemas live, relative to the repository root. */
export const EVENT_CONTRACTS_DIR = 'contracts/events';
export const ASYNCAPI_FILE = 'contracts/asyncapi.json';

/**
 * The event as a rule target or consumer receives it. Not strict: EventBridge adds fields of
 * its own (`replay-name` on archive replays), and they are not ours to forbid.
 */
function eventBridgeEventSchema(detailType: string, source: string, detail: z.ZodType) {
  return z.looseObject({
    version: z.literal('0'),
    id: z.string(),
    'detail-type': z.literal(detailType),
    source: z.literal(source),
    account: z.string().regex(/^\d{12}$/),
    time: z.iso.datetime(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
  });
}

function withoutDialect({ $schema: _dialect, ...schema }: JsonSchema): JsonSchema {
  return schema;
}

/** Every event type's contract, for events published with `source`. */
export function eventContracts(source: string): EventContract[] {
  return PUBLISHED_EVENT_SCHEMAS.map((schema) => {
    const detailType = schema.shape.type.value;
    const description = schema.description ?? detailType;
    return {
      detailType,
      description,
      file: `${EVENT_CONTRACTS_DIR}/${detailType}.v${MAJOR_VERSION}.json`,
      detailSchema: z.toJSONSchema(schema, { target: 'draft-2020-12' }),
      registrySchema: {
        // Where the registry's code bindings and console look for what the schema describes.
        'x-amazon-events-source': source,
        'x-amazon-events-detail-type': detailType,
        ...z.toJSONSchema(eventBridgeEventSchema(detailType, source, schema).meta({ title: detailType, description }), {
          target: 'draft-04',
        }),
      },
    };
  });
}

/**
 * A draft 7 schema of `schema` whose shared parts (zod schemas with a meta `id`) are moved into
 * `shared` and referenced as `#/components/schemas/<id>`: inside the AsyncAPI document, `#` is
 * the document's root, not the schema's.
 */
function asComponent(schema: z.ZodType, shared: Record<string, unknown>): JsonSchema {
  const { definitions = {}, ...own } = withoutDialect(z.toJSONSchema(schema, { target: 'draft-07' })) as JsonSchema & {
    definitions?: Record<string, unknown>;
  };
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' ? inner.replace('#/definitions/', '#/components/schemas/') : rewrite(inner),
      ]),
    );
  };
  for (const [id, definition] of Object.entries(definitions)) shared[id] = rewrite(definition);
  return rewrite(own) as JsonSchema;
}

/**
 * AsyncAPI 3.0 view of the bus. Message payloads are JSON Schema draft 7 (AsyncAPI's default
 * schema format is a superset of it; 2020-12 is not among the formats AsyncAPI 3.0 lists): the
 * whole EventBridge event, whose `detail` refers to the event under `components.schemas`.
 */
export function asyncApiDocument(source: string): JsonSchema {
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const schema of PUBLISHED_EVENT_SCHEMAS) {
    const detailType = schema.shape.type.value;
    schemas[detailType] = asComponent(schema, schemas);
    const payload = asComponent(eventBridgeEventSchema(detailType, source, z.unknown()), schemas);
    // The event is its own component, so the payload points at it instead of repeating it.
    (payload.properties as Record<string, unknown>).detail = { $ref: `#/components/schemas/${detailType}` };
    messages[detailType] = { name: detailType, title: detailType, summary: schema.description, contentType: 'application/json', payload };
  }
  const detailTypes = Object.keys(messages);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Order pipeline events',
      version: EVENT_SCHEMA_VERSION,
      description: [
        `One event per order or return transition on the pipeline's EventBridge bus, \`source\` \`${source}\`, \`detail-type\` the event's type.`,
        'Events of one order carry consecutive `sequence` numbers; `eventId` is stable across redeliveries.',
        'No personal data: no name, street or postal code, the phone masked to its last four digits.',
        'Additive changes keep the schema version; a breaking change gets a new detail-type with the next major `schemaVersion`.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    servers: {
      eventbridge: {
        host: 'events.{region}.amazonaws.com',
        protocol: 'https',
        title: 'Amazon EventBridge',
        description: 'Subscribers receive events through EventBridge rules on the bus (cross-account through a bus policy).',
        variables: { region: { description: 'AWS Region the pipeline is deployed to.' } },
      },
    },
    channels: {
      orderEvents: {
        address: 'order-pipeline-{stage}',
        title: 'Order events bus',
        description: 'The EventBridge bus every order event is put on, archived for replay.',
        parameters: { stage: { description: 'Deployment stage the bus belongs to.', examples: ['dev', 'prod'] } },
        servers: [{ $ref: '#/servers/eventbridge' }],
        messages: Object.fromEntries(detailTypes.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
      },
    },
    operations: {
      publishOrderEvent: {
        action: 'send',
        channel: { $ref: '#/channels/orderEvents' },
        title: 'Publish an order event',
        summary: 'The publisher puts one event per committed order transition on the bus (transactional outbox).',
        messages: detailTypes.map((type) => ({ $ref: `#/channels/orderEvents/messages/${type}` })),
      },
    },
    components: { messages, schemas },
  };
}

/** Every generated file, path relative to the repository root → content. */
export function contractFiles(source: string): Map<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return new Map([
    ...eventContracts(source).map(({ file, detailSchema }) => [file, json(detailSchema)] as const),
    [ASYNCAPI_FILE, json(asyncApiDocument(source))],
  ]);
}
