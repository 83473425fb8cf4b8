/**
 * Scheduled every minute: re-drives orders stranded in flight (functions/use-cases/reconcile-overdue-orders.ts)
 * and publishes what it found as metrics, which the stack alarms on.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { DEFAULT_DEADLINES, type DeadlineSettings } from '../domain/deadlines.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { createDocumentClient, requiredEnv } from '../store/dynamodb.ts';
import { InFlightIndex } from '../store/in-flight-index.ts';
import { OrderStore } from '../store/order-store.ts';
import { reconcileOverdueOrders, type ReconcileDependencies, type ReconcileReport } from '../use-cases/reconcile-overdue-orders.ts';
import { FulfilmentExecutions } from './fulfilment-executions.ts';
import { RECONCILER_METRICS } from './metrics.ts';


/** `ORDER_DEADLINE_SECONDS` ("PLACED=120,STOCK_LOCKED=300,ROUTED=300") and `MAX_REDRIVES` over the defaults. */
export function deadlineSettingsFrom(environment: NodeJS.ProcessEnv): DeadlineSettings {
  const seconds = { ...DEFAULT_DEADLINES.seconds };
  for (const pair of (environment.ORDER_DEADLINE_SECONDS ?? '').split(',').filter(Boolean)) {
    const [status, value] = pair.split('=');
    if (!(status! in seconds) || !(Number(value) > 0)) throw new Error(`ORDER_DEADLINE_SECONDS: bad entry "${pair}"`);
    seconds[status as keyof typeof seconds] = Number(value);
  }
  const maxRedrives = Number(environment.MAX_REDRIVES ?? DEFAULT_DEADLINES.maxRedrives);
  if (!Number.isInteger(maxRedrives) || maxRedrives < 0) throw new Error('MAX_REDRIVES must be a whole number');
  return { seconds, maxRedrives };
}

let cached: ReconcileDependencies | undefined;

function dependencies(): ReconcileDependencies {
  if (cached) return cached;
  const client = createDocumentClient();
  const tableName = requiredEnv('ORDERS_TABLE_NAME');
  cached = {
    orders: new OrderStore(client, tableName),
    inFlight: new InFlightIndex(client, tableName),
    fulfilment: new FulfilmentExecutions(requiredEnv('STATE_MACHINE_ARN')),
    now: () => new Date().toISOString(),
    settings: deadlineSettingsFrom(process.env),
  };
  return cached;
}

export const handler = middy(async (): Promise<ReconcileReport> => {
  const report = await reconcileOverdueOrders(dependencies());
  metrics.addMetric(RECONCILER_METRICS.overdue, MetricUnit.Count, report.overdue);
  metrics.addMetric(RECONCILER_METRICS.redriven, MetricUnit.Count, report.redriven);
  metrics.addMetric(RECONCILER_METRICS.givenUp, MetricUnit.Count, report.givenUp);
  metrics.addMetric(RECONCILER_METRICS.repeated, MetricUnit.Count, report.repeated);
  metrics.addMetric(RECONCILER_METRICS.maxOverdueSeconds, MetricUnit.Seconds, report.maxOverdueSeconds);
  if (report.overdue > 0) logger.warn('Stranded orders re-driven', { report: { ...report } });
  return report;
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
