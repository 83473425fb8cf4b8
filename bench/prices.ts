/**
 * On-demand list prices in us-east-1 for the services one order touches, as data.
 *
 * Every entry says where the number comes from (`source`), when it was looked up (`checked`),
 * the date the source itself states when it states one (`sourceDate`), and whether it was read
 * on an AWS page (`verified: true`) or only found on third-party pages (`verified: false`).
 * The lookups were made on 2026-11-23 (the machine date) against stored copies of public pages,
 * not the live pricing pages: AWS renders most rate tables client-side, so several numbers were
 * only visible in the pages' worked examples. Check the live pages before quoting a bill.
 *
 * Only the first usage tier is recorded, and no free tier is applied: the model prices a steady
 * production workload, where free tiers are noise and higher tiers are a discount.
 */

/** One price: `usd` dollars for every `per` units of `unit`. */
export interface Price {
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  /** AWS pricing page (or, when noted, the page the number was actually read on). */
  readonly source: string;
  /** When this entry was looked up. */
  readonly checked: string;
  /** The date the source itself states for the number, if it states one. */
  readonly sourceDate?: string;
  /** true: read on an AWS-owned page; false: only third-party pages confirm it. */
  readonly verified: boolean;
  readonly note?: string;
}

/** Dollars for one unit of a price. */
export const unitPrice = (price: Price): number => price.usd / price.per;

const CHECKED = '2026-11-23';

export const PRICES_US_EAST_1 = {
  region: 'us-east-1',
  dynamodb: {
    /** On-demand write request units (standard table class). */
    writeRequestUnits: {
      usd: 0.625,
      per: 1_000_000,
      unit: 'write request unit',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      checked: CHECKED,
      sourceDate: '2024-11-01',
      verified: false,
      note:
        'The stored AWS page renders the rate client-side (no number in its text). $0.625/M is the ' +
        'post-2024-11-01 price (50 % on-demand cut) quoted by third parties (airbyte.com, 2025-07; ' +
        'jusdb.com, 2025-08).',
    },
    /** On-demand read request units (standard table class). */
    readRequestUnits: {
      usd: 0.125,
      per: 1_000_000,
      unit: 'read request unit',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      checked: CHECKED,
      sourceDate: '2024-11-01',
      verified: false,
      note: 'Same provenance as writeRequestUnits.',
    },
    /** GetRecords calls made by a Lambda event source mapping on the table's stream. */
    streamsReadRequestsByLambda: {
      usd: 0,
      per: 1_000_000,
      unit: 'streams read request (Lambda trigger)',
      source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html',
      checked: CHECKED,
      verified: true,
      note:
        'Free: the DynamoDB guide (read on the docs.amazonaws.cn copy) says read requests made by ' +
        'Lambda-based consumers of a stream are free, other consumers are charged. ' +
        'The publisher still pays Lambda requests and duration.',
    },
  },
  lambda: {
    requests: {
      usd: 0.2,
      per: 1_000_000,
      unit: 'request',
      source: 'https://aws.amazon.com/lambda/pricing/',
      checked: CHECKED,
      verified: true,
      note:
        'Same for arm64 and x86_64. Read in the pricing page example ("$0.20 per 1 million requests") ' +
        'and the "How AWS Pricing Works" whitepaper.',
    },
    /** The stack's functions run on arm64: lib/pipeline-function.ts sets Architecture.ARM_64. */
    durationArm64: {
      usd: 0.0000133334,
      per: 1,
      unit: 'GB-second (arm64, first 7.5 billion GB-s/month)',
      source: 'https://aws.amazon.com/lambda/pricing/',
      checked: CHECKED,
      verified: false,
      note:
        'The AWS page text found shows only the x86 rate; the arm64 rate comes from third parties ' +
        '(cloudchipr.com, artillery prices.js). Billed per 1 ms.',
    },
    durationX86: {
      usd: 0.0000166667,
      per: 1,
      unit: 'GB-second (x86_64, first 6 billion GB-s/month)',
      source: 'https://aws.amazon.com/lambda/pricing/',
      checked: CHECKED,
      verified: true,
      note: 'The AWS page example and whitepaper round it to $0.00001667. Billed per 1 ms.',
    },
  },
  eventBridge: {
    customEventsPut: {
      usd: 1,
      per: 1_000_000,
      unit: 'custom event (64 KB chunk)',
      source: 'https://aws.amazon.com/eventbridge/pricing/',
      checked: CHECKED,
      verified: false,
      note:
        'The stored AWS page text shows the 64 KB chunking rule but not the rate; $1.00/M is from ' +
        'third parties (cloudburn.io 2026-03, factualminds.com 2026-06). Rule matching and delivery ' +
        'to same-account targets are not charged separately.',
    },
    /** EventBridge Scheduler: each time a schedule runs its target (one-time order timers, ADR 0005). */
    schedulerInvocations: {
      usd: 1,
      per: 1_000_000,
      unit: 'scheduler invocation',
      source: 'https://aws.amazon.com/eventbridge/pricing/',
      checked: '2026-12-04',
      verified: false,
      note:
        'Read on third-party pages only (cloudburn.io 2026-03: $1.00 per million invocations after ' +
        '14 million free a month); creating and deleting schedules is not charged. The free tier is ' +
        'not applied, as for every price here.',
    },
  },
  stepFunctions: {
    expressRequests: {
      usd: 1,
      per: 1_000_000,
      unit: 'Express workflow request',
      source: 'https://aws.amazon.com/step-functions/pricing/',
      checked: CHECKED,
      verified: true,
      note: 'Read in the pricing page example 3 ("The price is $1.00 per million requests").',
    },
    /** $0.06000 per GB-hour for the first 1,000 GB-hours a month, i.e. $0.0000166667 per GB-second. */
    expressDuration: {
      usd: 0.06,
      per: 3600,
      unit: 'GB-second (Express, first 1,000 GB-hours/month)',
      source: 'https://aws.amazon.com/step-functions/pricing/',
      checked: CHECKED,
      verified: true,
      note:
        'Pricing page example: "$0.06000 per GB-hour x 1,000 GB-Hours", then $0.03 (next 4,000), ' +
        '$0.01642 beyond. Duration is rounded up to the nearest 100 ms and memory is billed in ' +
        '64-MB chunks, per execution.',
    },
    standardStateTransitions: {
      usd: 0.025,
      per: 1_000,
      unit: 'state transition (Standard)',
      source: 'https://aws.amazon.com/step-functions/pricing/',
      checked: CHECKED,
      verified: true,
      note: 'State transitions pricing table, US East (N. Virginia): $0.0250 per 1,000. Retries count.',
    },
  },
  apiGateway: {
    httpApiRequests: {
      usd: 1,
      per: 1_000_000,
      unit: 'HTTP API request (512 KB increment, first 300 million/month)',
      source: 'https://aws.amazon.com/api-gateway/pricing/',
      checked: CHECKED,
      sourceDate: '2019-12-04',
      verified: true,
      note:
        'AWS launch announcement (2019-12-04): "$1.00 per million requests (us-east-1)"; the ' +
        '300-million first tier and the $0.90 next tier come from the pricing page example as quoted ' +
        'by third parties. Metered in 512 KB increments (AWS whitepaper).',
    },
  },
  kms: {
    /** GenerateDataKey and Decrypt on a symmetric key (the personal-data key). */
    symmetricRequests: {
      usd: 0.03,
      per: 10_000,
      unit: 'KMS request (symmetric key)',
      source: 'https://aws.amazon.com/kms/pricing/',
      checked: '2026-12-03',
      verified: false,
      note:
        'The stored AWS page states the $1/month key charge and the 20,000 free requests but renders ' +
        'the request rate client-side; $0.03 per 10,000 is from third parties (wring.co; ' +
        'cloudburn.io 2026-03; factualminds.com 2026-06). The key itself ($1/month, +$1/month per ' +
        'rotated backing key) is a flat monthly charge, not per order, so it is not in this table.',
    },
  },
  cloudWatchLogs: {
    /**
     * What a function's log group ingests (its application logs and Lambda's platform lines). Lambda
     * logs are vended logs since 2025-05-01: tiered, and the first tier is the old flat rate.
     */
    lambdaLogs: {
      usd: 0.5,
      per: 1,
      unit: 'GB ingested (Lambda logs, standard class, first 10 TB/month)',
      source: 'https://aws.amazon.com/cloudwatch/pricing/',
      checked: '2026-12-04',
      sourceDate: '2025-05-01',
      verified: false,
      note:
        'The AWS page renders rates client-side. Third parties: duckbillgroup.com (the 2025-05-01 tiering ' +
        'keeps $0.50/GB standard class in us-east-1 as the first tier, cheaper tiers beyond 10 TB); ' +
        'thenextgentechinsider.com (Lambda logs priced as vended logs). Billed on the events\' bytes.',
    },
    /** The Express workflow's execution log group under /aws/vendedlogs/states/ (a vended-log source). */
    stepFunctionsVendedLogs: {
      usd: 0.5,
      per: 1,
      unit: 'GB ingested (vended logs delivered to CloudWatch Logs, first 10 TB/month)',
      source: 'https://aws.amazon.com/cloudwatch/pricing/',
      checked: '2026-12-04',
      verified: false,
      note:
        'Vended logs to CloudWatch Logs: $0.50/GB for the first 10 TB in us-east-1 as quoted by third ' +
        'parties (the AWS page renders the table client-side); the same first tier as Lambda logs.',
    },
  },
  sqs: {
    /** The storage-first intake's queue (`orderPipeline:orderIntake=queue`): send, receive and delete, per 64 KB chunk. */
    standardRequests: {
      usd: 0.4,
      per: 1_000_000,
      unit: 'SQS request (standard queue, per 64 KB chunk)',
      source: 'https://aws.amazon.com/sqs/pricing/',
      checked: '2026-12-04',
      verified: false,
      note:
        'Third parties (cloudburn.io 2026-03; factualminds.com 2026-06): $0.40 per million standard-queue requests up to ' +
        '100 billion a month, each 64 KB of payload one request, the first million a month free (not applied). Lambda\'s ' +
        'pollers long-poll an idle queue too: a flat few cents a month, not per order.',
    },
  },
  xray: {
    /** Active tracing on every function and on the Express workflow, at the default sampling rule. */
    tracesRecorded: {
      usd: 5,
      per: 1_000_000,
      unit: 'trace recorded',
      source: 'https://aws.amazon.com/xray/pricing/',
      checked: '2026-12-04',
      verified: true,
      note:
        'Read on the AWS page (German copy): "5 USD pro Million" recorded traces, $0.50 per million ' +
        'retrieved or scanned (operators\' reads, not per order); 100,000 recorded free per month (not applied).',
    },
  },
} as const satisfies {
  region: string;
  dynamodb: Record<string, Price>;
  lambda: Record<string, Price>;
  sqs: Record<string, Price>;
  eventBridge: Record<string, Price>;
  stepFunctions: Record<string, Price>;
  apiGateway: Record<string, Price>;
  kms: Record<string, Price>;
  cloudWatchLogs: Record<string, Price>;
  xray: Record<string, Price>;
};

/** The shape `costPerMillionOrders` needs; `PRICES_US_EAST_1` is one. */
export interface PriceTable {
  readonly region: string;
  readonly dynamodb: { readonly writeRequestUnits: Price; readonly readRequestUnits: Price; readonly streamsReadRequestsByLambda: Price };
  readonly lambda: { readonly requests: Price; readonly durationArm64: Price; readonly durationX86: Price };
  readonly eventBridge: { readonly customEventsPut: Price; readonly schedulerInvocations: Price };
  readonly stepFunctions: { readonly expressRequests: Price; readonly expressDuration: Price; readonly standardStateTransitions: Price };
  readonly apiGateway: { readonly httpApiRequests: Price };
  readonly kms: { readonly symmetricRequests: Price };
  readonly cloudWatchLogs: { readonly lambdaLogs: Price; readonly stepFunctionsVendedLogs: Price };
  readonly xray: { readonly tracesRecorded: Price };
}
