import { createOrderPipelineApp } from '../lib/order-pipeline-app.ts';

// The CLI synthesizes on exit; `cdk synth -c orderPipeline:stage=<name>` picks the stage.
createOrderPipelineApp();
