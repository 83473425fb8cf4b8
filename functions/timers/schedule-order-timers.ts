/**
 * Creates the timers an order needs, from its events (the rule in lib/order-timers.ts): the order's
 * write and its event come from one commit, and EventBridge retries the delivery, so a timer is never
 * lost to a crash between writing the order and scheduling (no dual write). It reads the order, not the
 * event, so a late or repeated event schedules what the order needs now.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { scheduleOrderTimers } from '../use-cases/order-timers.ts';

const orderEventSchema = z.object({ detail: z.object({ orderId: z.string().min(1).max(64) }) });

export const handler = middy(async (event: unknown): Promise<void> => {
  const { orderId } = orderEventSchema.parse(event).detail;
  await scheduleOrderTimers(dependencies(), orderId);
})
  .use(injectLambdaContext(logger));
