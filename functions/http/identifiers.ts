/**
 * The identifiers requests name: path parameters, the caller's channel, idempotency keys. Apart
 * from the request shapes (schemas.ts) because evaluating those builds every request schema at a
 * cold start: a handler or a workflow step that only checks an id imports this module alone.
 *
 * Each rule is written once, in IDENTIFIER_RULES. The schemas here are zod's mini build (the same
 * core as the full one: the same checks, issues and messages), so a function that checks only ids
 * bundles about 10 KiB of zod instead of about 90. schemas.ts makes the full build's twins from the
 * same rules, for the request shapes and the OpenAPI document (its generator needs the full build).
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// The mini build loads no messages: in a bundle with no full-zod schema, every issue without a
// message of its own would read "Invalid input". The full build loads these same ones.
z.config(en());

export const IDENTIFIER_RULES = {
  /** SKUs, warehouse ids and other names: letters, digits and a few separators. */
  identifier: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, message: 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' },
  channel: { pattern: /^[a-z0-9][a-z0-9._-]{0,63}$/, message: 'Use 1-64 lowercase letters, digits, ".", "_" or "-"' },
  orderId: { pattern: /^[0-9A-HJKMNP-TV-Z]{26}$/, message: 'Must be an order id (ULID)' },
  /** Quote ids are ULIDs, like order ids. */
  quoteId: { pattern: /^[0-9A-HJKMNP-TV-Z]{26}$/, message: 'Must be a quote id (ULID)' },
  returnId: { pattern: /^[0-9A-HJKMNP-TV-Z]{26}$/, message: 'Must be a return id (ULID)' },
  idempotencyKey: { pattern: /^[\x21-\x7E]{1,255}$/, message: 'Use 1-255 printable ASCII characters' },
} as const satisfies Record<string, { pattern: RegExp; message: string }>;

/** The highest routing-policy version a path may name. */
export const MAX_POLICY_VERSION = 1_000_000_000;

const ruled = (rule: { pattern: RegExp; message: string }) => z.string().check(z.regex(rule.pattern, rule.message));

export const identifier = ruled(IDENTIFIER_RULES.identifier);
export const skuSchema = identifier;
export const channelSchema = ruled(IDENTIFIER_RULES.channel);
export const orderIdSchema = ruled(IDENTIFIER_RULES.orderId);
export const quoteIdSchema = ruled(IDENTIFIER_RULES.quoteId);
export const returnIdSchema = ruled(IDENTIFIER_RULES.returnId);
export const idempotencyKeySchema = ruled(IDENTIFIER_RULES.idempotencyKey);
/** A saved routing-policy version, as a path parameter. */
export const policyVersionSchema = z.coerce.number().check(z.int(), z.positive(), z.maximum(MAX_POLICY_VERSION));
