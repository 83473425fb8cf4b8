/**
 * A stand-in for AWS KMS with the semantics the Encryption SDK relies on: GenerateDataKey,
 * Encrypt, Decrypt and DescribeKey on symmetric keys, the encryption context bound to each
 * ciphertext (Decrypt with another context fails, as KMS's InvalidCiphertextException), and
 * the key id carried in the ciphertext blob. Every key id is served from one AES-256-GCM root
 * key kept in the data directory, so ciphertexts survive restarts. Not a security boundary.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

type Blob = string;

export class KmsError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

const BLOB_VERSION = 1;

/** Context keys sorted, so the same context binds the same whatever its key order. */
function contextBytes(context: unknown): Buffer {
  const entries = Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

function loadOrCreateRootKey(file: string | undefined): Buffer {
  if (file && existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  if (file) writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

export class LocalKms {
  private readonly rootKey: Buffer;
  private readonly calls = new Map<string, number>();

  /** `keyFile`: where the root key is kept; in memory when omitted. */
  constructor(keyFile?: string) {
    this.rootKey = loadOrCreateRootKey(keyFile);
  }

  /** Requests served so far, by operation: what KMS would bill. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  /** JSON-protocol operations by their X-Amz-Target, as the SDK calls them (blobs in base64). */
  operations(): Record<string, (input: Record<string, unknown>) => unknown> {
    const counted =
      (name: string, operation: (input: Record<string, unknown>) => unknown) =>
      (input: Record<string, unknown>) => {
        this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
        return operation(input);
      };
    return {
      'TrentService.GenerateDataKey': counted('GenerateDataKey', (input) => {
        const keyId = this.keyArn(input.KeyId);
        const bytes = Number(input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32));
        if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) throw new KmsError('ValidationException', 'NumberOfBytes must be between 1 and 1024');
        const plaintext = randomBytes(bytes);
        return { KeyId: keyId, Plaintext: plaintext.toString('base64'), CiphertextBlob: this.seal(keyId, plaintext, input.EncryptionContext) };
      }),
      'TrentService.Encrypt': counted('Encrypt', (input) => {
        const keyId = this.keyArn(input.KeyId);
        const plaintext = Buffer.from(String(input.Plaintext ?? ''), 'base64');
        if (plaintext.length < 1 || plaintext.length > 4096) throw new KmsError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
        return { KeyId: keyId, CiphertextBlob: this.seal(keyId, plaintext, input.EncryptionContext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      }),
      'TrentService.Decrypt': counted('Decrypt', (input) => {
        const { keyId, plaintext } = this.open(String(input.CiphertextBlob ?? ''), input.EncryptionContext);
        if (input.KeyId !== undefined && this.keyArn(input.KeyId) !== keyId) {
          throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
        }
        return { KeyId: keyId, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      }),
      'TrentService.DescribeKey': counted('DescribeKey', (input) => {
        const keyId = this.keyArn(input.KeyId);
        return {
          KeyMetadata: {
            KeyId: keyId.slice(keyId.lastIndexOf('/') + 1),
            Arn: keyId,
            Enabled: true,
            KeyState: 'Enabled',
            KeyUsage: 'ENCRYPT_DECRYPT',
            KeySpec: 'SYMMETRIC_DEFAULT',
            EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
          },
        };
      }),
    };
  }

  /** Locally every key is a key ARN; KMS also takes ids and aliases, which the stack never passes. */
  private keyArn(keyId: unknown): string {
    if (typeof keyId !== 'string' || !/^arn:aws:kms:[^:]+:\d{12}:key\/.+$/.test(keyId)) {
      throw new KmsError('NotFoundException', `Key '${String(keyId)}' does not exist`);
    }
    return keyId;
  }

  private seal(keyId: string, plaintext: Buffer, context: unknown): Blob {
    const iv = randomBytes(12);
    const id = Buffer.from(keyId, 'utf8');
    const header = Buffer.concat([Buffer.from([BLOB_VERSION]), Buffer.alloc(2), id]);
    header.writeUInt16BE(id.length, 1);
    const cipher = createCipheriv('aes-256-gcm', this.rootKey, iv).setAAD(Buffer.concat([header, contextBytes(context)]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), body]).toString('base64');
  }

  private open(blob: Blob, context: unknown): { keyId: string; plaintext: Buffer } {
    const bytes = Buffer.from(blob, 'base64');
    const invalid = () => new KmsError('InvalidCiphertextException', 'The ciphertext is invalid, or its encryption context does not match');
    if (bytes.length < 3 || bytes[0] !== BLOB_VERSION) throw invalid();
    const idLength = bytes.readUInt16BE(1);
    const header = bytes.subarray(0, 3 + idLength);
    const iv = bytes.subarray(header.length, header.length + 12);
    const tag = bytes.subarray(header.length + 12, header.length + 28);
    if (tag.length !== 16) throw invalid();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.rootKey, iv).setAAD(Buffer.concat([header, contextBytes(context)]));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(header.length + 28)), decipher.final()]);
      return { keyId: header.subarray(3).toString('utf8'), plaintext };
    } catch {
      throw invalid();
    }
  }
}
