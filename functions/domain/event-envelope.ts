/** What every event the pipeline publishes shares, order and return events alike: the schema version, and the check before it leaves. */
import type * as z from 'zod';
import { EventContractBroken } from './errors.ts';

/** `schemaVersion` of every event; see README "Event contracts" for when it changes. */
export const EVENT_SCHEMA_VERSION = '1.0';

/**
 * The event `candidate` as its published schema parses it, or EventContractBroken naming where it
 * breaks it (paths and codes, never the values: they may be personal data).
 */
export function checkedEvent<Schema extends z.ZodType>(schema: Schema, type: string, candidate: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    throw new EventContractBroken(type, parsed.error.issues.map((issue) => `${['$', ...issue.path].join('.')}: ${issue.code}`));
  }
  return parsed.data;
}
