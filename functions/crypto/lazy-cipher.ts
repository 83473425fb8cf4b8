/**
 * The personal-data cipher, its Encryption SDK loaded at the first seal or open: evaluating
 * @aws-crypto/client-node (and the KMS client it brings) is a large part of a cold start, and most
 * invocations of the functions that hold the cipher (every one, for some) never touch a personal value.
 */
import type { PersonalDataCipher } from '../use-cases/ports.ts';

export function lazyEncryptionSdkCipher(): PersonalDataCipher {
  let cipher: Promise<PersonalDataCipher> | undefined;
  const loaded = () => (cipher ??= import('./encryption-sdk-cipher.ts').then(({ EncryptionSdkCipher }) => EncryptionSdkCipher.fromEnvironment()));
  return {
    seal: async (...args) => (await loaded()).seal(...args),
    open: async (...args) => (await loaded()).open(...args),
  };
}
