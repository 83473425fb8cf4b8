/**
 * List cursors: where the next page starts, sealed so that it continues only the query it came
 * from. A cursor is the position (opaque to clients) followed by an HMAC-SHA256 over the query
 * (channel, status, page size) and the position, so one edited, forged, or taken from another
 * channel's or status's listing is refused as a client error instead of reaching the database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { InvalidCursor } from '../domain/errors.ts';

/** What a cursor is bound to: the query it pages through. */
export type CursorQuery = readonly (string | number | null)[];

export type Position = Record<string, string>;

export interface PageCursors {
  seal(query: CursorQuery, position: Position): string;
  /** The position, or InvalidCursor. */
  open(query: CursorQuery, cursor: string): Position;
}

const MAC_BYTES = 32;
// A short key can be guessed offline from one cursor.
const MIN_KEY_LENGTH = 32;
const positionSchema = z.record(z.string(), z.string().max(512)).refine((position) => Object.keys(position).length <= 4);

export function pageCursors(key: string): PageCursors {
  if (key.length < MIN_KEY_LENGTH) throw new Error(`A cursor signing key needs at least ${MIN_KEY_LENGTH} characters`);
  const mac = (query: CursorQuery, position: Buffer) =>
    createHmac('sha256', key).update(JSON.stringify(query)).update('\n').update(position).digest();
  return {
    seal(query, position) {
      const bytes = Buffer.from(JSON.stringify(position), 'utf8');
      return Buffer.concat([bytes, mac(query, bytes)]).toString('base64url');
    },
    open(query, cursor) {
      const sealed = Buffer.from(cursor, 'base64url');
      const bytes = sealed.subarray(0, Math.max(0, sealed.length - MAC_BYTES));
      const tag = sealed.subarray(bytes.length);
      if (bytes.length === 0 || !timingSafeEqual(tag, mac(query, bytes))) {
        throw new InvalidCursor('The cursor is not one this API returned for this query (same status and limit)');
      }
      return positionSchema.parse(JSON.parse(bytes.toString('utf8')));
    },
  };
}
