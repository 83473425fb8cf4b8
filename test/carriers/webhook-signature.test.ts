/**
 * The callback signature scheme and the carrier secret document. Expected MACs are
 * computed here with node:crypto from the documented formula, not by the code under test.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cachedCarrierSecrets, carrierSecretsFromEnvironment, parseCarrierSecrets } from '../../functions/carriers/carrier-secrets.ts';
import { signatureHeader, verifyCarrierSignature } from '../../functions/carriers/webhook-signature.ts';

const SECRET = 'sf-express-secret-0123456789';
const OTHER_CARRIER_SECRET = 'coldlink-secret-0123456789ab';
const BODY = Buffer.from('{"eventId":"evt-1","trackingNumber":"SBX1","status":"picked_up","occurredAt":"2026-11-20T08:30:00Z"}');
const NOW = 1_790_000_000;

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const verify = (header: string | undefined, options: { body?: Buffer; secrets?: string[]; now?: number } = {}) =>
  verifyCarrierSignature({ header, rawBody: options.body ?? BODY, secrets: options.secrets ?? [SECRET], nowSeconds: options.now ?? NOW });

describe('signatureHeader', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256, hex', () => {
    expect(signatureHeader(SECRET, BODY, NOW)).toBe(`t=${NOW},v1=${hmac(SECRET, `${NOW}.${BODY.toString()}`)}`);
  });
});

describe('verifyCarrierSignature', () => {
  it('accepts a good signature, also a few minutes either side', () => {
    expect(verify(signatureHeader(SECRET, BODY, NOW))).toEqual({ valid: true });
    expect(verify(signatureHeader(SECRET, BODY, NOW - 300))).toEqual({ valid: true });
    expect(verify(signatureHeader(SECRET, BODY, NOW + 300))).toEqual({ valid: true });
  });

  it('refuses a missing or malformed header', () => {
    expect(verify(undefined)).toMatchObject({ valid: false, reason: expect.stringContaining('missing') });
    for (const header of ['', 'v1=abc', `t=${NOW}`, `t=soon,v1=${'a'.repeat(64)}`, `t=${NOW},v1=${'z'.repeat(64)}`, `t=${NOW},v0=${'a'.repeat(64)}`]) {
      expect(verify(header), header).toMatchObject({ valid: false, reason: expect.stringContaining('must be') });
    }
  });

  it('refuses a bad signature, a tampered body and a moved timestamp', () => {
    expect(verify(`t=${NOW},v1=${'0'.repeat(64)}`)).toMatchObject({ valid: false, reason: expect.stringContaining('does not match') });
    const header = signatureHeader(SECRET, BODY, NOW);
    const tampered = Buffer.from(BODY.toString().replace('picked_up', 'delivered'));
    expect(verify(header, { body: tampered })).toMatchObject({ valid: false, reason: expect.stringContaining('does not match') });
    const retimed = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(verify(retimed)).toMatchObject({ valid: false, reason: expect.stringContaining('does not match') });
  });

  it('refuses a body signed with another carrier\'s secret', () => {
    expect(verify(signatureHeader(OTHER_CARRIER_SECRET, BODY, NOW))).toMatchObject({ valid: false });
    expect(verify(signatureHeader(SECRET, BODY, NOW), { secrets: [] })).toMatchObject({ valid: false });
  });

  it('refuses a stale and a future timestamp even when the MAC is right', () => {
    expect(verify(signatureHeader(SECRET, BODY, NOW - 301))).toEqual({ valid: false, reason: 'The signature is 301 s old; at most 300 s is accepted' });
    expect(verify(signatureHeader(SECRET, BODY, NOW + 301))).toEqual({
      valid: false,
      reason: 'The signature is dated 301 s ahead; at most 300 s is accepted',
    });
  });

  it('accepts either secret during a rotation, and any of several v1 values', () => {
    expect(verify(signatureHeader(SECRET, BODY, NOW), { secrets: [OTHER_CARRIER_SECRET, SECRET] })).toEqual({ valid: true });
    const both = `t=${NOW},v1=${hmac(OTHER_CARRIER_SECRET, `${NOW}.${BODY}`)},v1=${hmac(SECRET, `${NOW}.${BODY}`)}`;
    expect(verify(both)).toEqual({ valid: true });
  });
});

describe('carrier secrets', () => {
  it('reads one secret or a rotation list per carrier', () => {
    const secrets = parseCarrierSecrets(JSON.stringify({ 'sf-express': SECRET, coldlink: [OTHER_CARRIER_SECRET, SECRET] }));
    expect(Object.fromEntries(secrets)).toEqual({ 'sf-express': [SECRET], coldlink: [OTHER_CARRIER_SECRET, SECRET] });
  });

  it('refuses a document that is not JSON, or holds a short secret', () => {
    expect(() => parseCarrierSecrets('sf-express=abc')).toThrow(/not a JSON object/);
    expect(() => parseCarrierSecrets('{"zto":"short"}')).toThrow(/zto: A webhook secret needs at least 16 characters/);
  });

  it('reuses the document for the cache time, and retries a failed read at once', async () => {
    let now = 0;
    let reads = 0;
    let document: string | Error = JSON.stringify({ zto: SECRET });
    const secrets = cachedCarrierSecrets(
      async () => {
        reads += 1;
        if (document instanceof Error) throw document;
        return document;
      },
      60_000,
      () => now,
    );
    expect(await secrets.secretsFor('zto')).toEqual([SECRET]);
    expect(await secrets.secretsFor('unknown')).toEqual([]);
    document = JSON.stringify({ zto: OTHER_CARRIER_SECRET });
    now = 59_999;
    expect(await secrets.secretsFor('zto')).toEqual([SECRET]);
    expect(reads).toBe(1);
    now = 60_000;
    document = new Error('secret store down');
    await expect(secrets.secretsFor('zto')).rejects.toThrow('secret store down');
    document = JSON.stringify({ zto: OTHER_CARRIER_SECRET });
    expect(await secrets.secretsFor('zto')).toEqual([OTHER_CARRIER_SECRET]);
    expect(reads).toBe(3);
  });
});

describe('carrier secrets on AWS', () => {
  it('reads the Secrets Manager document through the Parameters and Secrets extension, with the session token', async () => {
    const requests: Array<{ url: string; token: string | undefined }> = [];
    const extension = createServer((request, response) => {
      requests.push({ url: request.url ?? '', token: request.headers['x-aws-parameters-secrets-token'] as string | undefined });
      response.end(JSON.stringify({ Name: 'carrier-secrets', SecretString: JSON.stringify({ zto: SECRET }) }));
    });
    await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
    try {
      const secrets = carrierSecretsFromEnvironment({
        CARRIER_WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:carrier/secrets-AbCdEf',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
        AWS_SESSION_TOKEN: 'session-token',
      });
      expect(await secrets.secretsFor('zto')).toEqual([SECRET]);
      expect(requests).toEqual([
        { url: '/secretsmanager/get?secretId=arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A123456789012%3Asecret%3Acarrier%2Fsecrets-AbCdEf', token: 'session-token' },
      ]);
    } finally {
      extension.close();
    }
  });

  it('needs one of the two settings', () => {
    expect(() => carrierSecretsFromEnvironment({})).toThrow(/CARRIER_WEBHOOK_SECRET_ID/);
  });
});
