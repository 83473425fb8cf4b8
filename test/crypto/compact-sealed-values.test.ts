/**
 * The sealed values stored compactly (ADR 0003, amendment of 2026-12-04): rebuilt to the exact messages the cipher
 * made, which open as before; anything it cannot rebuild exactly stays whole.
 */
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EncryptionSdkCipher } from '../../functions/crypto/encryption-sdk-cipher.ts';
import { compactSealedValues, expandSealedValue } from '../../functions/crypto/compact-sealed-values.ts';
import type { SealedPath } from '../../functions/domain/personal-data.ts';

const cipher = () =>
  new EncryptionSdkCipher(
    new RawAesKeyringNode({
      keyName: 'unit-test',
      keyNamespace: 'test',
      unencryptedMasterKey: randomBytes(32),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }),
  );

const ADDRESS: Array<[SealedPath, string]> = [
  ['shipTo.name', 'Zhang Wei'],
  ['shipTo.phone', '+8613800138000'],
  ['shipTo.line1', '88 Century Avenue, Pudong'],
  ['shipTo.postalCode', '200120'],
];

async function sealAll(sealer: EncryptionSdkCipher, orderId: string) {
  const messages = new Map<SealedPath, Uint8Array>();
  for (const [path, value] of ADDRESS) messages.set(path, Buffer.from(await sealer.seal(orderId, path, value), 'base64'));
  return messages;
}

describe('compact sealed values', () => {
  it('are rebuilt to the very messages the cipher made, which open as before, with the data keys stored once and no context', async () => {
    const sealer = cipher();
    const messages = await sealAll(sealer, '01JORDER000000000000000001');
    const compact = compactSealedValues('01JORDER000000000000000001', messages)!;
    expect(compact).toBeDefined();
    const whole = [...messages.values()].reduce((sum, message) => sum + message.length, 0);
    const stored = compact.dataKeys.length + [...compact.values.values()].reduce((sum, value) => sum + value.length, 0);
    // Each message's context (order, path, purpose: over 80 bytes) is left out, and the data keys are kept once.
    expect(stored).toBeLessThanOrEqual(whole - 3 * compact.dataKeys.length - 4 * 80);
    for (const [path, value] of ADDRESS) {
      const message = expandSealedValue('01JORDER000000000000000001', path, compact.values.get(path)!, compact.dataKeys);
      expect(message.equals(Buffer.from(messages.get(path)!))).toBe(true);
      expect(await sealer.open('01JORDER000000000000000001', path, message.toString('base64'))).toBe(value);
    }
  });

  it('do not open under another order or path: the context is rebuilt from the key, and the header authenticates it', async () => {
    const sealer = cipher();
    const compact = compactSealedValues('01JORDER000000000000000002', await sealAll(sealer, '01JORDER000000000000000002'))!;
    const moved = expandSealedValue('01JORDER000000000000000003', 'shipTo.name', compact.values.get('shipTo.name')!, compact.dataKeys);
    await expect(sealer.open('01JORDER000000000000000003', 'shipTo.name', moved.toString('base64'))).rejects.toThrow();
    const swapped = expandSealedValue('01JORDER000000000000000002', 'shipTo.phone', compact.values.get('shipTo.name')!, compact.dataKeys);
    await expect(sealer.open('01JORDER000000000000000002', 'shipTo.phone', swapped.toString('base64'))).rejects.toThrow();
  });

  it('stay whole when the messages are of another order, under other data keys, or not messages at all', async () => {
    const messages = await sealAll(cipher(), '01JORDER000000000000000004');
    expect(compactSealedValues('01JORDER000000000000000005', messages)).toBeUndefined();
    const mixed = new Map(messages);
    mixed.set('shipTo.phone', Buffer.from(await cipher().seal('01JORDER000000000000000004', 'shipTo.phone', '+8613800138000'), 'base64'));
    expect(compactSealedValues('01JORDER000000000000000004', mixed)).toBeUndefined();
    expect(compactSealedValues('01JORDER000000000000000004', new Map([['shipTo.name', Buffer.from('not a message')]]))).toBeUndefined();
  });
});
