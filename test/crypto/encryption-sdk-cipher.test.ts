/** The personal-data cipher with KMS mocked: what KMS is asked, how often, and what a sealed value opens for. */
import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyringNode } from '@aws-crypto/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_KEY_CONTEXT, EncryptionSdkCipher } from '../../functions/crypto/encryption-sdk-cipher.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/unit-test';
const kms = mockClient(KMSClient);
/** KMS's side of the envelope: which wrapped blob stands for which data key. */
const wrapped = new Map<string, Uint8Array>();

const cipher = () => new EncryptionSdkCipher(new KmsKeyringNode({ generatorKeyId: KEY_ARN }));

beforeEach(() => {
  wrapped.clear();
  kms.on(GenerateDataKeyCommand).callsFake((input: { NumberOfBytes: number }) => {
    const plaintext = randomBytes(input.NumberOfBytes);
    const blob = randomBytes(48);
    // Copies: the SDK zeroes the data keys it is handed once it is done with them.
    wrapped.set(blob.toString('base64'), Buffer.from(plaintext));
    return { KeyId: KEY_ARN, Plaintext: plaintext, CiphertextBlob: blob };
  });
  kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array }) => {
    const plaintext = wrapped.get(Buffer.from(input.CiphertextBlob).toString('base64'));
    if (!plaintext) throw Object.assign(new Error('invalid'), { name: 'InvalidCiphertextException' });
    return { KeyId: KEY_ARN, Plaintext: Buffer.from(plaintext) };
  });
});

afterEach(() => kms.reset());

describe('EncryptionSdkCipher', () => {
  it('seals a value into text that does not contain it, and opens it again for the same order and path', async () => {
    const sealer = cipher();
    const sealed = await sealer.seal('01ORDER', 'shipTo.name', 'Li Wei 13800138000');
    expect(sealed).not.toContain('Li Wei');
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain('Li Wei');
    expect(await cipher().open('01ORDER', 'shipTo.name', sealed)).toBe('Li Wei 13800138000');
  });

  it('refuses a sealed value moved to another order or another field', async () => {
    const sealed = await cipher().seal('01ORDER', 'shipTo.phone', '13800138000');
    await expect(cipher().open('02OTHER', 'shipTo.phone', sealed)).rejects.toThrow(/another order or field/);
    await expect(cipher().open('01ORDER', 'shipTo.name', sealed)).rejects.toThrow(/another order or field/);
  });

  it('refuses a sealed value that was altered', async () => {
    const sealed = Buffer.from(await cipher().seal('01ORDER', 'shipTo.line1', 'No. 1 Main Street'), 'base64');
    sealed[sealed.length - 40]! ^= 1;
    await expect(cipher().open('01ORDER', 'shipTo.line1', sealed.toString('base64'))).rejects.toThrow();
  });

  it('asks KMS for one data key for many orders, under the purpose context only, and opens them with one Decrypt', async () => {
    const sealer = cipher();
    const sealed = [];
    for (let i = 0; i < 50; i++) sealed.push(await sealer.seal(`ORDER${i}`, 'shipTo.postalCode', `2000${i}`));
    const generated = kms.commandCalls(GenerateDataKeyCommand);
    expect(generated).toHaveLength(1);
    expect(generated[0]!.args[0].input).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: DATA_KEY_CONTEXT });

    const opener = cipher();
    const opened = [];
    for (let i = 0; i < 50; i++) opened.push(await opener.open(`ORDER${i}`, 'shipTo.postalCode', sealed[i]!));
    expect(opened).toEqual(Array.from({ length: 50 }, (_, i) => `2000${i}`));
    const decrypted = kms.commandCalls(DecryptCommand);
    expect(decrypted).toHaveLength(1);
    expect(decrypted[0]!.args[0].input).toMatchObject({ EncryptionContext: DATA_KEY_CONTEXT });
  });

  it('does not open without KMS giving the data key back', async () => {
    const sealed = await cipher().seal('01ORDER', 'shipTo.name', 'Li Wei');
    wrapped.clear();
    await expect(cipher().open('01ORDER', 'shipTo.name', sealed)).rejects.toThrow();
  });
});
