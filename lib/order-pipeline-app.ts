import { isAbsolute, join } from 'node:path';
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderPipelineStack } from './order-pipeline-stack.ts';
import { loadChannels } from './channels-config.ts';
import { loadPartners } from './partners-config.ts';
import { readPipelineContext } from './pipeline-context.ts';
import { REPO_ROOT } from './pipeline-function.ts';

/** Stage names end up in resource names (`order-pipeline-<stage>`), so keep them short and plain. */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** Value of the `project` tag on every resource, for cost allocation and finding what the app owns. */
const PROJECT_TAG = 'order-pipeline';

/** The app with its one stack, as `cdk synth` builds it. */
export interface OrderPipelineApp {
  readonly app: App;
  readonly stack: OrderPipelineStack;
}

/**
 * Builds the CDK app: stack `OrderPipeline-<stage>` with the partners of the partners file and the settings of the
 * channels file, every resource tagged with the project and the stage, and the AWS Solutions checks of cdk-nag, whose errors fail synthesis.
 * Settings come from context: `CONTEXT_KEYS` in `pipeline-context.ts` and the README's table.
 *
 * Shared by `bin/order-pipeline.ts` and the tests, so the tests check the app that deploys.
 */
export function createOrderPipelineApp(appProps: AppProps = {}): OrderPipelineApp {
  const app = new App(appProps);
  const { stage, partnersFile, channelsFile, localRuntime } = readPipelineContext(app.node);
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Invalid stage "${stage}": use 1-20 lowercase letters, digits or dashes, starting with a letter`);
  }
  const partners = loadPartners(isAbsolute(partnersFile) ? partnersFile : join(REPO_ROOT, partnersFile), {
    allowLoopbackHttp: localRuntime,
  });
  const channels = loadChannels(isAbsolute(channelsFile) ? channelsFile : join(REPO_ROOT, channelsFile));
  const stack = new OrderPipelineStack(app, `OrderPipeline-${stage}`, {
    stage,
    partners,
    channels,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Serverless order pipeline (${stage})`,
    // CloudFormation takes templates up to 1 MB; one function per route, the dashboard and a
    // registry schema per event type grow it, and indentation alone is about a sixth of it.
    suppressTemplateIndentation: true,
  });
  Tags.of(app).add('project', PROJECT_TAG);
  Tags.of(app).add('stage', stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
