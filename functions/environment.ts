import { type ChannelSettingsFile, NO_CHANNEL_SETTINGS, parseChannelSettings } from './domain/channel-settings.ts';

/** The configuration the stack hands a function through its environment; a missing name fails the cold start loudly. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** The validated channels file (`config/channels.json`), as JSON: the stack sets it on every function. */
export const CHANNEL_SETTINGS_ENV = 'CHANNEL_SETTINGS';

let channelSettingsRead: { text: string | undefined; settings: ChannelSettingsFile } | undefined;

/**
 * Every channel's hold window and payment settings. Unset, every channel gets the defaults (no hold window,
 * stock locked at placement): what the pipeline did before the file existed, and what a handler test without
 * the variable expects. Validated at synth; a value that does not parse here fails loudly all the same.
 */
export function channelSettings(): ChannelSettingsFile {
  const text = process.env[CHANNEL_SETTINGS_ENV];
  if (channelSettingsRead && channelSettingsRead.text === text) return channelSettingsRead.settings;
  let settings = NO_CHANNEL_SETTINGS;
  if (text) {
    const parsed = parseChannelSettings(JSON.parse(text));
    if (!parsed.settings) throw new Error(`Environment variable ${CHANNEL_SETTINGS_ENV} is not a valid channels file: ${parsed.issues.join('; ')}`);
    settings = parsed.settings;
  }
  channelSettingsRead = { text, settings };
  return settings;
}
