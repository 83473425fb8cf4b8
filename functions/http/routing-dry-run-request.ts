/**
 * `POST /policies/routing/dry-run`: a draft routing policy tried on recent orders. Apart from the
 * other request shapes (schemas.ts) because it holds the whole routing policy's schema, which
 * every route taking a body would otherwise build at its cold start.
 */
import * as z from 'zod';
import { routingPolicySchema } from '../domain/routing/routing-policy.ts';
import { channelSchema } from './schemas.ts';

/** Most orders a dry-run decides: two decisions each, within an API call's time. */
export const DRY_RUN_MAX_ORDERS = 200;

export const routingDryRunRequestSchema = z.strictObject({
  policy: routingPolicySchema,
  channels: z.array(channelSchema).min(1).max(20).describe('Channels whose newest orders are tried'),
  limit: z.number().int().min(1).max(DRY_RUN_MAX_ORDERS).default(50).describe('Orders tried in all, newest first'),
});
