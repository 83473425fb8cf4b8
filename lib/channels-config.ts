/**
 * The channels file (`config/channels.json`): each sales channel's hold window and payment settings
 * (functions/domain/channel-settings.ts). Validated at synth, so a mistake fails `cdk synth` with the channel
 * and field it concerns; the functions receive the validated file in one environment variable.
 */
import { type ChannelSettingsFile, parseChannelSettings } from '../functions/domain/channel-settings.ts';
import { ConfigFileError, readJsonFile } from './config-file.ts';

/** The file is invalid; `issues` are one line each, naming the channel and field. */
export class ChannelsConfigError extends ConfigFileError {
  constructor(source: string, issues: string[]) {
    super('channels', source, issues);
    this.name = 'ChannelsConfigError';
  }
}

export function parseChannels(document: unknown, source = 'channels'): ChannelSettingsFile {
  const { settings, issues } = parseChannelSettings(document);
  if (settings) return settings;
  throw new ChannelsConfigError(source, issues);
}

export function loadChannels(file: string): ChannelSettingsFile {
  return parseChannels(readJsonFile(file, (issues) => new ChannelsConfigError(file, issues)), file);
}
