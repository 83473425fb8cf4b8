/**
 * Signed carrier callbacks, the scheme Stripe uses for its webhooks:
 *
 *   X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The timestamp is inside the signed text, so an old request cannot be replayed with a new
 * time, and a request older or newer than the tolerance is refused even with a valid MAC.
 * `v1` may appear more than once (a sender signing with the old and the new secret during a
 * rotation); one match is enough.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Carrier-Signature';
/** How far the signed time may be from ours, either way: clock skew plus the carrier's delivery delay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

export function carrierSignature(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value a carrier sends for `rawBody`, signed at `timestamp` (seconds). */
export function signatureHeader(secret: string, rawBody: Buffer | string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${carrierSignature(secret, timestamp, rawBody)}`;
}

function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Checks the header against every current secret of the carrier. The MAC comparison is
 * constant-time; the time window is checked after the MAC, so only a holder of the secret
 * learns that their request was too old.
 */
export function verifyCarrierSignature(options: {
  header: string | undefined;
  rawBody: Buffer;
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const { header, rawBody, secrets, nowSeconds, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS } = options;
  if (header === undefined) return { valid: false, reason: `The ${SIGNATURE_HEADER} header is missing` };
  const parsed = parseHeader(header);
  if (!parsed) return { valid: false, reason: `The ${SIGNATURE_HEADER} header must be "t=<unix seconds>,v1=<64 hex digits>"` };
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(carrierSignature(secret, parsed.timestamp, rawBody), 'hex');
    return parsed.signatures.some((signature) => timingSafeEqual(signature, expected));
  });
  if (!matches) return { valid: false, reason: 'The signature does not match the body, the timestamp and this carrier\'s secret' };
  const skew = nowSeconds - parsed.timestamp;
  if (skew > toleranceSeconds) return { valid: false, reason: `The signature is ${skew} s old; at most ${toleranceSeconds} s is accepted` };
  if (-skew > toleranceSeconds) {
    return { valid: false, reason: `The signature is dated ${-skew} s ahead; at most ${toleranceSeconds} s is accepted` };
  }
  return { valid: true };
}
