/**
 * The personal-data cipher on the AWS Encryption SDK: envelope encryption under a KMS key,
 * one message per value, data keys cached per process (DATA_KEY_CACHE).
 *
 * Each message's encryption context names its order and path, and is authenticated by the
 * message header, so a value copied to another order or field does not open. KMS itself only
 * sees the constant `purpose` context: the cache key includes the context the data key was
 * made for, so a per-order context there would mean one GenerateDataKey per order, and IAM
 * can pin the constant (`kms:EncryptionContext:purpose`).
 */
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  type EncryptionContext,
  getLocalCryptographicMaterialsCache,
  KeyringTraceFlag,
  type KeyringNode,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  NodeDecryptionMaterial,
  NodeEncryptionMaterial,
  type NodeAlgorithmSuite,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import type { SealedPath } from '../domain/personal-data.ts';
import type { PersonalDataCipher } from '../use-cases/ports.ts';
import { requiredEnv } from '../environment.ts';
import { DATA_KEY_CACHE } from './data-key-cache.ts';
import { DATA_KEY_CONTEXT } from './sealed-context.ts';

export { DATA_KEY_CONTEXT } from './sealed-context.ts';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
// Key commitment without a signature: values are opened by the same trust domain that sealed them.
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * Asks the caching manager for data keys under DATA_KEY_CONTEXT only, and hands the SDK
 * materials that carry the message's whole context (order and path) for its header.
 */
class PerValueContext implements NodeMaterialsManager {
  private readonly shared: NodeMaterialsManager;

  constructor(shared: NodeMaterialsManager) {
    this.shared = shared;
  }

  readonly getEncryptionMaterials: NodeMaterialsManager['getEncryptionMaterials'] = async (request) => {
    const cached = await this.shared.getEncryptionMaterials({ ...request, encryptionContext: DATA_KEY_CONTEXT });
    const material = new NodeEncryptionMaterial(cached.suite, { ...request.encryptionContext, ...DATA_KEY_CONTEXT });
    material.setUnencryptedDataKey(cached.getUnencryptedDataKey(), {
      keyNamespace: 'order-personal-data',
      keyName: 'cached',
      flags: KeyringTraceFlag.WRAPPING_KEY_GENERATED_DATA_KEY,
    });
    for (const key of cached.encryptedDataKeys) material.addEncryptedDataKey(key, KeyringTraceFlag.WRAPPING_KEY_ENCRYPTED_DATA_KEY);
    return material;
  };

  readonly decryptMaterials: NodeMaterialsManager['decryptMaterials'] = async (request) => {
    const cached = await this.shared.decryptMaterials({ ...request, encryptionContext: DATA_KEY_CONTEXT });
    const material = new NodeDecryptionMaterial(request.suite as NodeAlgorithmSuite, request.encryptionContext);
    return material.setUnencryptedDataKey(cached.getUnencryptedDataKey(), {
      keyNamespace: 'order-personal-data',
      keyName: 'cached',
      flags: KeyringTraceFlag.WRAPPING_KEY_DECRYPTED_DATA_KEY,
    });
  };
}

function contextOf(orderId: string, path: SealedPath): EncryptionContext {
  return { orderId, path };
}

export class EncryptionSdkCipher implements PersonalDataCipher {
  private readonly materials: NodeMaterialsManager;

  /** `keyring`: a KMS keyring in the functions; tests may pass a raw AES one. */
  constructor(keyring: KeyringNode) {
    this.materials = new PerValueContext(
      new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        cache: getLocalCryptographicMaterialsCache(DATA_KEY_CACHE.capacity),
        maxAge: DATA_KEY_CACHE.maxAgeMs,
        maxMessagesEncrypted: DATA_KEY_CACHE.maxMessagesEncrypted,
        maxBytesEncrypted: DATA_KEY_CACHE.maxBytesEncrypted,
      }),
    );
  }

  /** Under the key the stack names in PERSONAL_DATA_KEY_ARN; KMS's endpoint from the SDK's configuration (AWS_ENDPOINT_URL_KMS locally). */
  static fromEnvironment(): EncryptionSdkCipher {
    return new EncryptionSdkCipher(new KmsKeyringNode({ generatorKeyId: requiredEnv('PERSONAL_DATA_KEY_ARN') }));
  }

  async seal(orderId: string, path: SealedPath, plaintext: string): Promise<string> {
    const { result } = await encrypt(this.materials, plaintext, {
      suiteId: SUITE,
      encryptionContext: contextOf(orderId, path),
      plaintextLength: Buffer.byteLength(plaintext),
    });
    return result.toString('base64');
  }

  async open(orderId: string, path: SealedPath, sealed: string): Promise<string> {
    const { plaintext, messageHeader } = await decrypt(this.materials, Buffer.from(sealed, 'base64'));
    const context = messageHeader.encryptionContext;
    // The header is authenticated, so this is the order and path the value was sealed for.
    if (context.orderId !== orderId || context.path !== path) {
      throw new Error(`A sealed value of another order or field was found at ${path} of order ${orderId}`);
    }
    return plaintext.toString('utf8');
  }
}
