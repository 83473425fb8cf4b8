/**
 * The channels file reaches the functions validated: synth refuses a bad file with the channel and field it
 * concerns, and every function of the synthesized stack gets the validated file in `CHANNEL_SETTINGS`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_SETTINGS_ENV } from '../../functions/environment.ts';
import { channelSettingsForFunctions, channelSettingsOf } from '../../functions/domain/channel-settings.ts';
import { loadChannels } from '../../lib/channels-config.ts';
import { createOrderPipelineApp } from '../../lib/order-pipeline-app.ts';
import { CONTEXT_KEYS } from '../../lib/pipeline-context.ts';
import { testStack } from '../support/test-cloud.ts';
import { REPO_ROOT, testContext, type CfnResource } from './support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'channels-infra-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the channels file', () => {
  it('ships an example that validates: the demo channels, one with a hold window, one locking stock at payment', () => {
    const settings = loadChannels(join(REPO_ROOT, 'config/channels.json'));
    expect(settings.channels.map((channel) => [channel.name, channelSettingsOf(settings, channel.name).holdSeconds, channelSettingsOf(settings, channel.name).payment.lockStockAt])).toEqual([
      ['web-shop', 0, 'placement'],
      ['marketplace', 0, 'payment'],
      ['live-shop', 120, 'placement'],
    ]);
  });

  it('fails synth on a bad file, naming the file, the channel and the field', () => {
    const file = join(scratch, 'channels.json');
    writeFileSync(file, JSON.stringify({ channels: [{ name: 'live-shop', holdSeconds: 90_000, payment: { lockStock: 'payment' } }] }));
    const synth = () => createOrderPipelineApp({ outdir: scratch, context: testContext({ [CONTEXT_KEYS.channels.key]: file }) });
    expect(synth).toThrow(`Invalid channels file ${file}:`);
    expect(synth).toThrow('channels[0] ("live-shop").holdSeconds: Too big: expected number to be <=86400');
    expect(synth).toThrow('channels[0] ("live-shop").payment.lockStock: is not a setting');
    writeFileSync(file, '{ "channels": [ ');
    expect(synth).toThrow(`Invalid channels file ${file}:\n  - (file): `);
  });

  it('reaches every function as one environment variable, the validated file with its defaults and without descriptions', async () => {
    const { template } = await testStack();
    const functions = Object.values(template.Resources as Record<string, CfnResource>).filter((r) => r.Type === 'AWS::Lambda::Function');
    const expected = JSON.stringify(channelSettingsForFunctions(loadChannels(join(REPO_ROOT, 'config/channels.json'))));
    expect(expected).not.toContain('description');
    const values = functions.map((fn) => fn.Properties.Environment?.Variables?.[CHANNEL_SETTINGS_ENV]);
    expect(functions.length).toBeGreaterThan(10);
    expect(new Set(values)).toEqual(new Set([expected]));
  }, 180_000);
});
