/**
 * How long and how much one KMS data key is reused per process (the Encryption SDK's caching
 * materials manager). Shared by the cipher and the bench's cost model, which counts KMS
 * requests per million orders from these bounds.
 */
export const DATA_KEY_CACHE = {
  /**
   * Five minutes: a warm Lambda reuses a data key across many orders, yet a disabled key or a
   * revoked grant stops sealing and opening within minutes, and a plaintext data key is never
   * in memory for longer.
   */
  maxAgeMs: 5 * 60_000,
  /**
   * 10,000 values: at four personal values an order, one data key seals 2,500 orders, which
   * is all a leaked data key could open; far below the 2^32 messages AES-GCM allows a key.
   */
  maxMessagesEncrypted: 10_000,
  /** Personal values are short (under 200 bytes); 10 MB never binds before the message count. */
  maxBytesEncrypted: 10 * 1024 * 1024,
  /** Data keys held at once: the current one, and those of older orders being opened. */
  capacity: 100,
} as const;
