import { isAbsolute, join } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderPipelineStack } from './order-pipeline-stack.ts';
import { loadPartners } from './partners-config.ts';
import { REPO_ROOT } from './pipeline-function.ts';

/** Stage names end up in resource names (`order-pipeline-<stage>`), so keep them short and plain. */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** Partners file read when context `partners` names none; relative paths are from the repository root. */
export const DEFAULT_PARTNERS_FILE = 'config/partners.json';

/**
 * Context set by the local runtime's synth (`local/cloud-assembly.ts`): partners may then use
 * `http://127.0.0.1` endpoints (test servers), which an API destination on AWS would refuse.
 */
export const LOCAL_RUNTIME_CONTEXT = 'order-pipeline:local-runtime';

/** The app with its one stack, as `cdk synth` builds it. */
export interface OrderPipelineApp {
  readonly app: App;
  readonly stack: OrderPipelineStack;
}

/**
 * Builds the CDK app: stack `OrderPipeline-<stage>` (context `stage`, default `dev`) with the
 * partners of the partners file (context `partners`, default `config/partners.json`) and the
 * AWS Solutions checks of cdk-nag, whose errors fail synthesis.
 *
 * Shared by `bin/order-pipeline.ts` and the tests, so the tests check the app that deploys.
 */
export function createOrderPipelineApp(appProps: AppProps = {}): OrderPipelineApp {
  const app = new App(appProps);
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Invalid stage "${stage}": use 1-20 lowercase letters, digits or dashes, starting with a letter`);
  }
  const partnersFile = String(app.node.tryGetContext('partners') ?? DEFAULT_PARTNERS_FILE);
  const partners = loadPartners(isAbsolute(partnersFile) ? partnersFile : join(REPO_ROOT, partnersFile), {
    allowLoopbackHttp: app.node.tryGetContext(LOCAL_RUNTIME_CONTEXT) === true,
  });
  const stack = new OrderPipelineStack(app, `OrderPipeline-${stage}`, {
    stage,
    partners,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Serverless order pipeline (${stage})`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
