/**
 * Scheduled every minute: re-drives orders stranded in flight (functions/use-cases/reconcile-overdue-orders.ts)
 * and publishes what it found as metrics, which the stack alarms on.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger, metrics } from '../observability.ts';
import { requiredEnv } from '../environment.ts';
import { createDocumentClient } from '../store/dynamodb.ts';
import { InFlightIndex } from '../store/in-flight-index.ts';
import { OrderStore } from '../store/order-store.ts';
import { reconcileOverdueOrders, type ReconcileDependencies, type ReconcileReport } from '../use-cases/reconcile-overdue-orders.ts';
import { deadlineSettingsFrom } from './deadline-settings.ts';
import { FulfilmentExecutions } from './fulfilment-executions.ts';
import { RECONCILER_METRICS } from './metrics.ts';


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
  } satisfies ReconcileDependencies;
  return cached;
}

export const handler = middy(async (): Promise<ReconcileReport> => {
  const report = await reconcileOverdueOrders(dependencies());
  metrics.addMetric(RECONCILER_METRICS.overdue, MetricUnit.Count, report.overdue);
  metrics.addMetric(RECONCILER_METRICS.redriven, MetricUnit.Count, report.redriven);
  metrics.addMetric(RECONCILER_METRICS.givenUp, MetricUnit.Count, report.givenUp);
  metrics.addMetric(RECONCILER_METRICS.repeated, MetricUnit.Count, report.repeated);
  metrics.addMetric(RECONCILER_METRICS.maxOverdueSeconds, MetricUnit.Seconds, report.maxOverdueSeconds);
  metrics.addMetric(RECONCILER_METRICS.paymentsTimedOut, MetricUnit.Count, report.paymentsTimedOut);
  if (report.overdue > 0) logger.warn('Stranded orders re-driven', { report: { ...report } });
  return report;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
