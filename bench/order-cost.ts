/**
 * What a million orders cost, service by service, from per-order usage counts and a price table
 * (`bench/prices.ts`). Pure arithmetic: no I/O, no free tiers, first pricing tier only.
 */
import { unitPrice, type Price, type PriceTable } from './prices.ts';

export type LambdaArchitecture = 'arm64' | 'x86_64';

/** Lambda usage of one order, either as GB-seconds or as invocations × average duration × memory. */
export type LambdaUsage =
  | { readonly invocations: number; readonly gbSeconds: number; readonly architecture?: LambdaArchitecture }
  | {
      readonly invocations: number;
      /** Average billed duration; Lambda bills per 1 ms, so this is rounded up to a whole millisecond. */
      readonly avgDurationMs: number;
      readonly memoryMb: number;
      readonly architecture?: LambdaArchitecture;
    };

/** Duration of one Express execution, for {@link expressGbSeconds}. */
export interface ExpressExecution {
  readonly durationMs: number;
  /** Memory the execution used (definition + payload); billed in 64 MB chunks. */
  readonly memoryMb: number;
}

/** What one order uses. Counts are per order, averaged over retries and duplicates if you include them. */
export interface PerOrderUsage {
  readonly httpRequests: number;
  readonly dynamodbWriteUnits: number;
  readonly dynamodbReadUnits: number;
  /** All functions of one order; one entry per function (or one aggregated entry). `architecture` defaults to arm64, as the stack deploys. */
  readonly lambda: readonly LambdaUsage[];
  /** PutEvents entries, counted in 64 KB chunks. */
  readonly eventsPut: number;
  /** Express executions started. */
  readonly workflowRequests: number;
  /** State transitions per order: priced only in the Standard comparison (Express does not bill them). */
  readonly workflowStateTransitions: number;
  /**
   * Billed Express GB-seconds per order, or the shape of each execution (then billed as
   * `workflowRequests × expressGbSeconds(execution)`).
   */
  readonly workflowGbSeconds: number | ExpressExecution;
  /** Optional: GetRecords calls per order made by the publisher's event source mapping (free). */
  readonly streamReadRequestsByLambda?: number;
  /** Optional: GB per order ingested by the functions' log groups (application and platform lines). */
  readonly functionLogGb?: number;
  /** Optional: GB per order ingested by the workflow's execution log group (vended logs). */
  readonly workflowLogGb?: number;
  /** Optional: X-Ray traces recorded per order (trace roots × sampling rate). */
  readonly tracesRecorded?: number;
  /** Optional: KMS requests per order (see {@link kmsRequestsPerOrder}). */
  readonly kmsRequests?: number;
  /**
   * Optional: one-time schedules run per order (a hold window's end, a pending payment's timeout; ADR 0005): 0 for an
   * order of a channel with no hold that was paid when placed. Their target invocations are in `lambda`.
   */
  readonly schedulerInvocations?: number;
}

/** Dollars per million orders. */
export interface CostBreakdown {
  readonly region: string;
  readonly lines: {
    readonly apiGatewayHttp: number;
    readonly lambdaRequests: number;
    readonly lambdaDuration: number;
    readonly dynamodbWrites: number;
    readonly dynamodbReads: number;
    /** Stream reads by the publisher's event source mapping: free. */
    readonly dynamodbStreams: number;
    readonly eventBridgePut: number;
    readonly stepFunctionsExpressRequests: number;
    readonly stepFunctionsExpressDuration: number;
    readonly lambdaLogs: number;
    readonly stepFunctionsLogs: number;
    readonly xrayTraces: number;
    readonly kmsRequests: number;
    readonly schedulerInvocations: number;
  };
  readonly total: number;
  /** The same orders with the workflow as a Standard state machine: transitions instead of Express requests and duration. */
  readonly ifStandardWorkflow: { readonly stateTransitions: number; readonly total: number };
}

const MILLION = 1_000_000;
const EXPRESS_DURATION_STEP_MS = 100;
const EXPRESS_MEMORY_STEP_MB = 64;

/** Billed GB-seconds of one Express execution: duration rounded up to 100 ms, memory up to a 64 MB chunk. */
export function expressGbSeconds({ durationMs, memoryMb }: ExpressExecution): number {
  if (durationMs < 0 || memoryMb < 0) throw new RangeError('duration and memory must be ≥ 0');
  const billedMs = Math.ceil(durationMs / EXPRESS_DURATION_STEP_MS) * EXPRESS_DURATION_STEP_MS;
  const billedMb = Math.max(1, Math.ceil(memoryMb / EXPRESS_MEMORY_STEP_MB)) * EXPRESS_MEMORY_STEP_MB;
  return (billedMs / 1000) * (billedMb / 1024);
}

/** How personal data is sealed and opened, for {@link kmsRequestsPerOrder}. */
export interface DataKeyUse {
  /** Values sealed per order (SEALED_PATHS present in an order). */
  readonly sealedValuesPerOrder: number;
  /** Values one data key seals before the cache asks KMS for another (DATA_KEY_CACHE.maxMessagesEncrypted). */
  readonly valuesPerDataKey: number;
  /** Functions that open orders' values (each decrypts each data key once while it is cached). */
  readonly openingFunctions: number;
  /** Warm instances per function that each keep their own cache (1 at steady low concurrency). */
  readonly instancesPerFunction: number;
}

/**
 * KMS requests per order at a steady rate high enough that the message bound, not the age
 * bound, retires data keys: each data key costs one GenerateDataKey per sealing instance and
 * one Decrypt per opening instance. At low rates the age bound retires them first, and the
 * count is per five minutes per instance instead, which is no more in total.
 */
export function kmsRequestsPerOrder(use: DataKeyUse): number {
  const dataKeysPerOrder = use.sealedValuesPerOrder / use.valuesPerDataKey;
  return dataKeysPerOrder * use.instancesPerFunction * (1 + use.openingFunctions);
}

function lambdaGbSeconds(usage: LambdaUsage): number {
  if ('gbSeconds' in usage) return usage.gbSeconds;
  return usage.invocations * (Math.ceil(usage.avgDurationMs) / 1000) * (usage.memoryMb / 1024);
}

export function costPerMillionOrders(usage: PerOrderUsage, prices: PriceTable): CostBreakdown {
  const perMillion = (quantityPerOrder: number, price: Price) =>
    quantityPerOrder * MILLION * unitPrice(price);

  let lambdaRequests = 0;
  let lambdaDuration = 0;
  for (const fn of usage.lambda) {
    const durationPrice = (fn.architecture ?? 'arm64') === 'arm64' ? prices.lambda.durationArm64 : prices.lambda.durationX86;
    lambdaRequests += perMillion(fn.invocations, prices.lambda.requests);
    lambdaDuration += perMillion(lambdaGbSeconds(fn), durationPrice);
  }

  const workflowGbSeconds =
    typeof usage.workflowGbSeconds === 'number'
      ? usage.workflowGbSeconds
      : usage.workflowRequests * expressGbSeconds(usage.workflowGbSeconds);

  const lines = {
    apiGatewayHttp: perMillion(usage.httpRequests, prices.apiGateway.httpApiRequests),
    lambdaRequests,
    lambdaDuration,
    dynamodbWrites: perMillion(usage.dynamodbWriteUnits, prices.dynamodb.writeRequestUnits),
    dynamodbReads: perMillion(usage.dynamodbReadUnits, prices.dynamodb.readRequestUnits),
    // Lambda's event source mapping reads the stream for free ($0 in the table), so this stays 0.
    dynamodbStreams: perMillion(usage.streamReadRequestsByLambda ?? 0, prices.dynamodb.streamsReadRequestsByLambda),
    eventBridgePut: perMillion(usage.eventsPut, prices.eventBridge.customEventsPut),
    stepFunctionsExpressRequests: perMillion(usage.workflowRequests, prices.stepFunctions.expressRequests),
    stepFunctionsExpressDuration: perMillion(workflowGbSeconds, prices.stepFunctions.expressDuration),
    lambdaLogs: perMillion(usage.functionLogGb ?? 0, prices.cloudWatchLogs.lambdaLogs),
    stepFunctionsLogs: perMillion(usage.workflowLogGb ?? 0, prices.cloudWatchLogs.stepFunctionsVendedLogs),
    xrayTraces: perMillion(usage.tracesRecorded ?? 0, prices.xray.tracesRecorded),
    kmsRequests: perMillion(usage.kmsRequests ?? 0, prices.kms.symmetricRequests),
    schedulerInvocations: perMillion(usage.schedulerInvocations ?? 0, prices.eventBridge.schedulerInvocations),
  };
  const total = Object.values(lines).reduce((sum, dollars) => sum + dollars, 0);

  const stateTransitions = perMillion(usage.workflowStateTransitions, prices.stepFunctions.standardStateTransitions);
  const standardTotal = total - lines.stepFunctionsExpressRequests - lines.stepFunctionsExpressDuration + stateTransitions;

  return { region: prices.region, lines, total, ifStandardWorkflow: { stateTransitions, total: standardTotal } };
}

const LABELS: Record<keyof CostBreakdown['lines'], string> = {
  apiGatewayHttp: 'API Gateway HTTP API requests',
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration',
  dynamodbWrites: 'DynamoDB writes (on-demand)',
  dynamodbReads: 'DynamoDB reads (on-demand)',
  dynamodbStreams: 'DynamoDB Streams (Lambda reads, free)',
  eventBridgePut: 'EventBridge custom events',
  stepFunctionsExpressRequests: 'Step Functions Express requests',
  stepFunctionsExpressDuration: 'Step Functions Express duration',
  lambdaLogs: 'CloudWatch Logs: functions',
  stepFunctionsLogs: 'CloudWatch Logs: Express (vended)',
  xrayTraces: 'X-Ray traces recorded',
  kmsRequests: 'KMS requests (personal data)',
  schedulerInvocations: 'EventBridge Scheduler (holds, payment timeouts)',
};

const dollars = (value: number) => `$${value.toFixed(2)}`;

/** Table lines (no trailing newline), dollars per million orders. */
export function formatCost(breakdown: CostBreakdown): string[] {
  const rows: Array<[string, string]> = (Object.keys(LABELS) as Array<keyof CostBreakdown['lines']>).map((key) => [
    LABELS[key],
    dollars(breakdown.lines[key]),
  ]);
  rows.push(['Total (Express workflow)', dollars(breakdown.total)]);
  rows.push(['  Standard: state transitions', dollars(breakdown.ifStandardWorkflow.stateTransitions)]);
  rows.push(['Total if the workflow were Standard', dollars(breakdown.ifStandardWorkflow.total)]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const header = `USD per 1,000,000 orders, ${breakdown.region}, first-tier list prices`;
  return [
    header,
    '-'.repeat(labelWidth + 2 + valueWidth),
    ...rows.map(([label, value]) => `${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}`),
  ];
}
