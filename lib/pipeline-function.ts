import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, type EnvironmentOptions, LoggingFormat, type ParamsAndSecretsLayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ADAPTER_VARIABLES, type AdapterVariable } from '../functions/adapter-variables.ts';
import { acknowledgeNagFinding } from './nag.ts';
import { CONTEXT_KEYS } from './pipeline-context.ts';

/** Repository root: bundling resolves `functions/` and the lock file from here, wherever synth is started. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** CloudFormation metadata key that names a function's source file, relative to the repository root. */
export const ENTRY_METADATA_KEY = 'order-pipeline:entry';

/** Namespace shared by every function's Powertools Metrics, so dashboards find all pipeline metrics in one place. */
export const METRICS_NAMESPACE = 'OrderPipeline';

/**
 * Reason for the one wildcard every pipeline function's role carries.
 * X-Ray's write APIs have no resource-level permissions, so active tracing needs `Resource: *`.
 * The runtime writes the function's segments (the functions bundle no tracing SDK: ADR 0007).
 */
const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments and xray:PutTelemetryRecords (added for active tracing) support only Resource "*": X-Ray has no resource-level permissions for trace ingestion.';

/**
 * Credential providers of the SDK's default chain that Lambda never reaches: it gives a function
 * its credentials in the environment, the chain's first link. The chain imports each of these
 * with a dynamic `import()` only when the links before it failed, so leaving them out of the
 * bundle costs nothing on Lambda (test/infra/bundling.test.ts checks that no SDK module imports
 * them statically); they took about 130 KiB of every bundle (STS, SSO and the metadata clients).
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/** Where {@link singleExportEntry} writes its entries: ignored by git, inside the repository so bundles name the same paths wherever synth runs. */
const GENERATED_ENTRIES = join(REPO_ROOT, 'node_modules', '.cache', 'order-pipeline', 'entries');

/**
 * The file esbuild starts from for one export of a module that holds several handlers: a one-line
 * re-export of that export alone, so the bundle carries only what that handler reaches (the module
 * marks its handler constructions pure, which lets esbuild drop the others). The export keeps its
 * name, so the handler string and the source the local cloud runs are those of `entryPath`.
 * Written only when its text changes: the path and text are fixed, so asset hashes are stable.
 */
export function singleExportEntry(entryPath: string, exportName: string): string {
  const file = join(GENERATED_ENTRIES, `${entryPath.replace(/\.ts$/, '').replaceAll('/', '-')}-${exportName}.ts`);
  const text = `export { ${exportName} } from ${JSON.stringify(join(REPO_ROOT, entryPath))};\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(GENERATED_ENTRIES, { recursive: true });
    writeFileSync(file, text);
  }
  return file;
}

/** Properties of a {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  /**
   * Handler source, relative to `functions/` and without extension, e.g. `api/place-order`.
   */
  readonly entry: string;
  /**
   * The export of `entry` Lambda invokes (handler string `index.<handler>`); a module holding
   * several handlers, like the workflow's step table, names one per function, and each function
   * bundles only its export ({@link singleExportEntry}).
   * @default 'handler'
   */
  readonly handler?: string;
  /** `POWERTOOLS_SERVICE_NAME`: the service dimension of logs, traces and metrics. */
  readonly serviceName: string;
  /** Deployment stage, given to the function as `STAGE`. */
  readonly stage: string;
  /** Extra environment variables, merged over the Powertools defaults. */
  readonly environment?: Record<string, string>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * The AWS Parameters and Secrets Lambda Extension, for a function that reads a secret.
   * @default - none
   */
  readonly paramsAndSecrets?: ParamsAndSecretsLayerVersion;
  /**
   * Justifications for other `Resource: *` statements that callers add to this function's role
   * (e.g. `dynamodb:ListStreams` from a stream event source), appended to the X-Ray reason so the
   * acknowledgement of `AwsSolutions-IAM5[Resource::*]` names every wildcard it covers.
   * @default - the role's only wildcard is X-Ray's
   */
  readonly additionalWildcardReasons?: string[];
  /**
   * Adapter variables (functions/adapter-variables.ts) that a grant or connection sets after the
   * function is built, e.g. the personal-data key's ARN from `grantSealPersonalData`. The bundle
   * is made at construction: an adapter variable neither in `environment` nor here is bundled as
   * `undefined`, so the adapter's SDK stays out, and setting it later fails the synth.
   * @default - none
   */
  readonly adapterVariablesSetLater?: readonly AdapterVariable[];
}

/**
 * A Node.js Lambda function with the pipeline's defaults: Node 24 on Graviton, ESM bundle with the
 * AWS SDK inside (pinned by our lock file rather than whatever the runtime ships), source maps,
 * active tracing, and JSON logs in a log group the stack owns.
 *
 * It gets its own role instead of `AWSLambdaBasicExecutionRole`: that managed policy allows
 * creating and writing any log group in the account, while the function only ever writes to its own.
 *
 * The role and log group are created next to the function (ids `<id>Role`, `<id>Logs`) because a
 * Lambda function takes both at construction.
 */
export class PipelineFunction extends NodejsFunction {
  /** The function's source file relative to the repository root, e.g. `functions/api/place-order.ts`. */
  public readonly entryPath: string;
  /** The adapter variables this function's bundle was built without: its environment must never set them. */
  public readonly bundledWithout: ReadonlySet<AdapterVariable>;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const entryPath = `functions/${props.entry}.ts`;
    const exportName = props.handler ?? 'handler';
    const entry = join(REPO_ROOT, entryPath);
    if (!existsSync(entry)) {
      // NodejsFunction would fail too, but naming the construct saves a search.
      throw new Error(`PipelineFunction ${id}: handler source ${entryPath} does not exist`);
    }

    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${entryPath}${exportName === 'handler' ? '' : ` (${exportName})`}`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      STAGE: props.stage,
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    const setLater: readonly string[] = props.adapterVariablesSetLater ?? [];
    const bundledWithout = (Object.keys(ADAPTER_VARIABLES) as AdapterVariable[]).filter((name) => !(name in environment) && !setLater.includes(name));

    super(scope, id, {
      entry: exportName === 'handler' ? entry : singleExportEntry(entryPath, exportName),
      handler: exportName,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // Stack traces need only the mappings: without the sources' text the map is about 60% smaller
        // and --enable-source-maps parses it at every cold start (bench: npm run bench:cold-start).
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The adapters this function's environment never switches on, and their SDKs, stay out of the bundle.
        define: Object.fromEntries(bundledWithout.map((name) => [`process.env.${name}`, 'undefined'])),
        // esbuild's ESM output has no `require`; CJS dependencies still call it.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Bundle the SDK: cold starts load one file, and the version is the one our tests ran against.
        externalModules: UNUSED_CREDENTIAL_PROVIDERS,
        bundleAwsSDK: true,
        // What each module adds to the bundle, for the bench's `--contents` (never set for a deployment).
        ...([true, 'true'].includes(scope.node.tryGetContext(CONTEXT_KEYS.bundleMetafile.key)) ? { metafile: true } : {}),
      },
    });

    this.entryPath = entryPath;
    this.bundledWithout = new Set(bundledWithout);
    // Lets tooling (the local runtime, tests) map a deployed function back to its source file.
    (this.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, entryPath);

    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      [XRAY_WILDCARD_REASON, ...(props.additionalWildcardReasons ?? [])].join(' '),
    );
  }

  /** Refuses an adapter variable the bundle was built without: the code that reads it is not in the bundle. */
  override addEnvironment(key: string, value: string, options?: EnvironmentOptions): this {
    // Undefined while the base class constructs (it may add variables of its own).
    if (this.bundledWithout?.has(key as AdapterVariable)) {
      throw new Error(
        `${this.node.path}: ${key} switches on ${ADAPTER_VARIABLES[key as AdapterVariable]}, which this function's bundle leaves out; ` +
          'name it in adapterVariablesSetLater (lib/pipeline-function.ts)',
      );
    }
    return super.addEnvironment(key, value, options);
  }
}
