/**
 * The personal-data cipher, its Encryption SDK loaded at the first seal or open: evaluating
 * @aws-crypto/client-node (and the KMS client it brings) is a large part of a cold start, and most
 * invocations of the functions that hold the cipher (every one, for some) never touch a personal value.
 */
import { adapterNotConfigured } from '../adapter-variables.ts';
import type { PersonalDataCipher } from '../use-cases/ports.ts';

export function lazyEncryptionSdkCipher(): PersonalDataCipher {
  let cipher: Promise<PersonalDataCipher> | undefined;
  const loaded = () => {
    // Read as `process.env.PERSONAL_DATA_KEY_ARN`: a function whose template never sets it is
    // bundled without the Encryption SDK (functions/adapter-variables.ts).
    // The positive test first: esbuild drops an `if (undefined)` branch, not the code after an early return.
    if (process.env.PERSONAL_DATA_KEY_ARN) {
      return (cipher ??= import('./encryption-sdk-cipher.ts').then(({ EncryptionSdkCipher }) => EncryptionSdkCipher.fromEnvironment()));
    }
    return Promise.reject(adapterNotConfigured('PERSONAL_DATA_KEY_ARN'));
  };
  return {
    seal: async (...args) => (await loaded()).seal(...args),
    open: async (...args) => (await loaded()).open(...args),
  };
}
