import { afterEach, describe, expect, it } from 'vitest';
import { channelSettingsOf, parseChannelSettings } from '../../functions/domain/channel-settings.ts';
import { CHANNEL_SETTINGS_ENV, channelSettings } from '../../functions/environment.ts';

const issuesOf = (document: unknown) => parseChannelSettings(document).issues;

describe('channel settings', () => {
  it('fills what an entry leaves out, and gives a channel the file does not list the defaults', () => {
    const { settings } = parseChannelSettings({ channels: [{ name: 'live-shop', holdSeconds: 120, payment: { lockStockAt: 'payment' } }] });
    expect(channelSettingsOf(settings!, 'live-shop')).toEqual({
      name: 'live-shop',
      holdSeconds: 120,
      payment: { timeoutSeconds: 1_800, lockStockAt: 'payment' },
    });
    expect(channelSettingsOf(settings!, 'web-shop')).toEqual({
      name: 'web-shop',
      holdSeconds: 0,
      payment: { timeoutSeconds: 1_800, lockStockAt: 'placement' },
    });
    const { settings: bare } = parseChannelSettings({ channels: [{ name: 'kiosk' }] });
    expect(channelSettingsOf(bare!, 'kiosk').holdSeconds).toBe(0);
  });

  it('refuses unknown keys at their own path, so a misspelt setting does not pass as its default', () => {
    expect(issuesOf({ channels: [{ name: 'live-shop', holdSecs: 120 }] })).toEqual(['channels[0] ("live-shop").holdSecs: is not a setting']);
    expect(issuesOf({ channels: [{ name: 'web-shop', payment: { timeout: 60 } }] })).toEqual(['channels[0] ("web-shop").payment.timeout: is not a setting']);
    expect(issuesOf({ channels: [], defaults: {} })).toEqual(['defaults: is not a setting']);
  });

  it('refuses values out of range, naming the channel and field', () => {
    expect(issuesOf({ channels: [{ name: 'a', holdSeconds: 86_401 }] })).toEqual([expect.stringMatching(/^channels\[0\] \("a"\)\.holdSeconds: /)]);
    expect(issuesOf({ channels: [{ name: 'a', holdSeconds: -1 }] })).toEqual([expect.stringMatching(/^channels\[0\] \("a"\)\.holdSeconds: /)]);
    expect(issuesOf({ channels: [{ name: 'a', holdSeconds: 1.5 }] })).toEqual([expect.stringMatching(/^channels\[0\] \("a"\)\.holdSeconds: /)]);
    expect(issuesOf({ channels: [{ name: 'a', payment: { timeoutSeconds: 59 } }] })).toEqual([
      expect.stringMatching(/^channels\[0\] \("a"\)\.payment\.timeoutSeconds: /),
    ]);
    expect(issuesOf({ channels: [{ name: 'a', payment: { lockStockAt: 'shipping' } }] })).toEqual([
      'channels[0] ("a").payment.lockStockAt: must be "placement" or "payment"',
    ]);
    expect(issuesOf({ channels: [{ name: 'a' }, { name: 'a' }] })).toEqual(['channels[1] ("a").name: is already used by another channel']);
    expect(issuesOf({ channels: [{}] })).toEqual(['channels[0].name: is required']);
    expect(issuesOf({})).toEqual(['channels: is required']);
  });
});

describe('channel settings in the environment', () => {
  const before = process.env[CHANNEL_SETTINGS_ENV];
  afterEach(() => {
    if (before === undefined) delete process.env[CHANNEL_SETTINGS_ENV];
    else process.env[CHANNEL_SETTINGS_ENV] = before;
  });

  it('reads the one variable the stack sets, and gives every channel the defaults without it', () => {
    delete process.env[CHANNEL_SETTINGS_ENV];
    expect(channelSettingsOf(channelSettings(), 'live-shop').holdSeconds).toBe(0);
    process.env[CHANNEL_SETTINGS_ENV] = JSON.stringify({ channels: [{ name: 'live-shop', holdSeconds: 120 }] });
    expect(channelSettingsOf(channelSettings(), 'live-shop').holdSeconds).toBe(120);
  });

  it('fails loudly on a value that is not a valid channels file', () => {
    process.env[CHANNEL_SETTINGS_ENV] = JSON.stringify({ channels: [{ name: 'x', holdSeconds: 'soon' }] });
    expect(() => channelSettings()).toThrow(/CHANNEL_SETTINGS is not a valid channels file: channels\[0\] \("x"\)\.holdSeconds/);
  });
});
