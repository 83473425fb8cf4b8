/**
 * Parsing at the edge: the body and query are validated with zod before any
 * use case sees them, and every failure becomes a precise 4xx.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { safeParse } from 'zod/mini';
import { childPath, firstDuplicateKey, utf8Text } from './json-text.ts';
import { problems, type FieldError } from './problem.ts';

export const MAX_BODY_BYTES = 64 * 1024;

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => childPath(acc, typeof key === 'number' ? key : String(key)), '$');
}

function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function fieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: jsonPath(issue.path), pointer: jsonPointer(issue.path), message: issue.message }));
}

/**
 * Validates a value against a schema, or throws a 400 problem listing every failing field. A schema of
 * zod's full build or of its mini one (identifiers.ts): both run on zod's core, which parses here.
 */
export function validate<Schema extends z.core.$ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = safeParse(schema, value);
  if (!result.success) {
    const errors = fieldErrors(result.error);
    throw problems.validation(`The ${what} has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}`, errors);
  }
  return result.data;
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1];
}

export { header };

/** The body's bytes as the client sent them (what a signature is computed over). */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The JSON body, size-checked, then validated against the schema. */
export function jsonBody<Schema extends z.core.$ZodType>(event: APIGatewayProxyEventV2, schema: Schema): z.output<Schema> {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw problems.unsupportedMediaType(`Send the body as application/json, not ${contentType}`);
  }
  const raw = rawBody(event);
  if (raw.length > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
  if (raw.length === 0) throw problems.validation('The request body is missing', [{ path: '$', pointer: '', message: 'Required' }]);
  const text = utf8Text(raw);
  if (text === undefined) throw problems.malformedJson('The body is not valid UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw problems.malformedJson((error as Error).message);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate) throw problems.malformedJson(`${duplicate.path} has the key ${JSON.stringify(duplicate.key)} more than once`);
  return validate(schema, parsed, 'request body');
}
