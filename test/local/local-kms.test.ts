/** The local KMS over HTTP, driven by the real @aws-sdk/client-kms and by the Encryption SDK, as the functions use it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws-endpoint.ts';
import { LocalKms } from '../../local/kms/local-kms.ts';
import { EncryptionSdkCipher } from '../../functions/crypto/encryption-sdk-cipher.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/local-test';
const context = { purpose: 'order-personal-data' };

let dataDir: string;
const running: AwsEndpoint[] = [];
const serve = async (kms: LocalKms) => {
  const endpoint = await startAwsEndpoint(kms.operations());
  running.push(endpoint);
  return new KMSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
};

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-kms-'));
});

afterAll(async () => {
  for (const endpoint of running) await endpoint.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('LocalKms', () => {
  it('generates a data key whose blob decrypts to it under the same encryption context only', async () => {
    const client = await serve(new LocalKms());
    const key = await client.send(new GenerateDataKeyCommand({ KeyId: KEY_ARN, NumberOfBytes: 32, EncryptionContext: context }));
    expect(key.KeyId).toBe(KEY_ARN);
    expect(key.Plaintext).toHaveLength(32);
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(key.Plaintext!));
    expect(opened.KeyId).toBe(KEY_ARN);
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: { purpose: 'something-else' } })),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(client.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('encrypts and decrypts, refuses a blob under another key id asked for, and describes the key', async () => {
    const client = await serve(new LocalKms());
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: Buffer.from('secret') }));
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob, KeyId: KEY_ARN }));
    expect(Buffer.from(Plaintext!).toString()).toBe('secret');
    await expect(client.send(new DecryptCommand({ CiphertextBlob, KeyId: `${KEY_ARN}-other` }))).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: KEY_ARN }));
    expect(KeyMetadata).toMatchObject({ Arn: KEY_ARN, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT' });
    await expect(client.send(new DescribeKeyCommand({ KeyId: 'alias/unknown' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('keeps its root key in the data directory: a restart decrypts what was encrypted before, another directory cannot', async () => {
    const keyFile = join(dataDir, 'kms-root-key');
    const before = await serve(new LocalKms(keyFile));
    const { CiphertextBlob } = await before.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: Buffer.from('kept'), EncryptionContext: context }));
    const after = await serve(new LocalKms(keyFile));
    const { Plaintext } = await after.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(Plaintext!).toString()).toBe('kept');
    const elsewhere = await serve(new LocalKms(join(dataDir, 'another-root-key')));
    await expect(elsewhere.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('serves the cipher the functions build from their environment: values sealed by one open in another, one GenerateDataKey and one Decrypt between them', async () => {
    const kms = new LocalKms();
    const endpoint = await startAwsEndpoint(kms.operations());
    running.push(endpoint);
    process.env.AWS_ENDPOINT_URL_KMS = endpoint.url;
    process.env.PERSONAL_DATA_KEY_ARN = KEY_ARN;
    const sealer = EncryptionSdkCipher.fromEnvironment();
    const sealed = [await sealer.seal('ORDER0', 'shipTo.name', 'Li Wei'), await sealer.seal('ORDER1', 'shipTo.name', 'Wang Fang')];
    const opener = EncryptionSdkCipher.fromEnvironment();
    expect([await opener.open('ORDER0', 'shipTo.name', sealed[0]!), await opener.open('ORDER1', 'shipTo.name', sealed[1]!)]).toEqual([
      'Li Wei',
      'Wang Fang',
    ]);
    expect(kms.requestCounts()).toEqual({ GenerateDataKey: 1, Decrypt: 1 });
  });
});
