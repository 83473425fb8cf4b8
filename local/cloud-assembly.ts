/**
 * The synthesized app, as the local runtime and tests read it. Bundling is
 * skipped: locally the handlers run from source, the template is what matters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrderPipelineApp } from '../lib/order-pipeline-app.ts';
import { CONTEXT_KEYS } from '../lib/pipeline-context.ts';
import type { CfnTemplate } from './dynamodb/tables.ts';

export interface SynthesizedStack {
  stackName: string;
  template: CfnTemplate & Record<string, unknown>;
}

export interface SynthesizeOptions {
  /** Partners file (context `orderPipeline:partners`); the app's default (`config/partners.json`) when omitted. */
  partnersFile?: string;
  /** Channels file (context `orderPipeline:channels`); the app's default (`config/channels.json`) when omitted. */
  channelsFile?: string;
  /** More context, as `cdk synth -c key=value` would pass it. */
  context?: Record<string, unknown>;
}

export function synthesizeStack(stage = 'local', options: SynthesizeOptions = {}): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-cdk-'));
  try {
    const { app, stack } = createOrderPipelineApp({
      outdir,
      context: {
        [CONTEXT_KEYS.stage.key]: stage,
        'aws:cdk:bundling-stacks': [],
        [CONTEXT_KEYS.localRuntime.key]: true,
        ...(options.partnersFile ? { [CONTEXT_KEYS.partners.key]: options.partnersFile } : {}),
        ...(options.channelsFile ? { [CONTEXT_KEYS.channels.key]: options.channelsFile } : {}),
        ...options.context,
      },
    });
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    return { stackName: stack.stackName, template: artifact.template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
