/**
 * The identifiers requests name: path parameters, the caller's channel, idempotency keys. Apart
 * from the request shapes (schemas.ts, which re-exports these) because evaluating those builds
 * every request schema, the routing policy's included, at a cold start: a handler or a workflow
 * step that only checks an id imports this module alone.
 */
import * as z from 'zod';

/** SKUs, warehouse ids and other names: letters, digits and a few separators. */
export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const skuSchema = identifier;
export const channelSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'Use 1-64 lowercase letters, digits, ".", "_" or "-"');
export const orderIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be an order id (ULID)');
/** Quote ids are ULIDs, like order ids. */
export const quoteIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be a quote id (ULID)');
export const returnIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be a return id (ULID)');
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7E]{1,255}$/, 'Use 1-255 printable ASCII characters');
/** A saved routing-policy version, as a path parameter. */
export const policyVersionSchema = z.coerce.number().int().positive().max(1_000_000_000);
