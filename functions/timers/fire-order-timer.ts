/**
 * The target of every order timer's schedule: runs the due timer (functions/use-cases/order-timers.ts).
 * Scheduler invokes it with the schedule's input, `{ orderId, kind }`; anything else is refused loudly
 * (a schedule someone else made), and a failure is retried by Scheduler, then backed up by the reconciler.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { TIMER_KINDS } from '../domain/order-timers.ts';
import { logger } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { fireOrderTimer, type TimerOutcome } from '../use-cases/order-timers.ts';

const dueTimerSchema = z.strictObject({ orderId: z.string().min(1).max(64), kind: z.enum(TIMER_KINDS) });

export const handler = middy(async (event: unknown): Promise<{ outcome: TimerOutcome }> => {
  const timer = dueTimerSchema.parse(event);
  const outcome = await fireOrderTimer(dependencies(), timer);
  logger.info('Order timer ran', { orderId: timer.orderId, kind: timer.kind, outcome });
  return { outcome };
})
  .use(injectLambdaContext(logger));
