import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { eventContracts } from '../../functions/events/event-contracts.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Ajv for the dialect the schemas declare, with `format` checked (date, date-time). */
export function newAjv(dialect: '2020-12' | 'draft-07', options: Options = {}): Ajv {
  // ajv-formats is CommonJS; under Node's ESM its plugin is the default export's `default`.
  return formats.default(dialect === '2020-12' ? new Ajv2020({ strict: true, ...options }) : new Ajv({ strict: true, ...options }));
}

/**
 * Validates an event (an EventBridge `detail`) against the checked-in schema of its `type`: the
 * file partners read, not the zod schema it came from. Returns the errors, none when it conforms;
 * a type without a schema is an error too.
 */
export function checkedInDetailValidator(): (detail: unknown) => ErrorObject[] {
  const ajv = newAjv('2020-12', { allErrors: true });
  // The source only shapes the registry copies; the detail schemas do not depend on it.
  const validators = new Map(
    eventContracts('any').map(({ detailType, file }) => [detailType, ajv.compile(JSON.parse(readFileSync(join(ROOT, file), 'utf8')))]),
  );
  return (detail) => {
    const type = (detail as { type?: unknown } | null)?.type;
    const check = validators.get(String(type));
    if (!check) return [{ instancePath: '/type', schemaPath: '', keyword: 'contract', params: { type }, message: 'has no published schema' }];
    return check(detail) ? [] : [...(check.errors ?? [])];
  };
}
