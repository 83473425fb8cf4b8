/**
 * `npm run carrier:callback -- <orderId> <status> [--code CODE] [--parcel N] [--event-id ID] [--url URL] [--tokens FILE | --token JWT]`:
 * plays a carrier calling back about one parcel of an order on the local cloud: reads the
 * order for the parcel's carrier and tracking number (with the development token of whichever
 * channel owns it, from the file `npm start` writes), signs the callback with that carrier's
 * local secret (see local/carrier-secrets.ts) and posts it. Prints the request and the answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signatureHeader } from '../functions/carriers/webhook-signature.ts';
import { DELIVERY_EXCEPTION_CODES, PARCEL_STATUSES, type DeliveryExceptionCode, type ParcelStatus } from '../functions/domain/vocabulary.ts';
import { EXCEPTION_STATUS } from '../functions/domain/shipment-tracking.ts';
import type { Order } from '../functions/domain/order.ts';
import { localCarrierSecret } from '../local/carrier-secrets.ts';
import { fail, fetchLocalCloud, localCloudUrl, parseCommandLine } from '../local/cli.ts';

const { values, positionals } = parseCommandLine({
  script: 'carrier:callback',
  summary: 'Plays a carrier calling back about one parcel of an order on the local cloud: a signed callback, printed with the answer.',
  positionals: `<orderId> <${[...PARCEL_STATUSES, EXCEPTION_STATUS].join('|')}>`,
  options: {
    code: { type: 'string' },
    parcel: { type: 'string', default: '1' },
    'event-id': { type: 'string' },
    url: { type: 'string', default: localCloudUrl() },
    tokens: { type: 'string', default: '.local/dev-tokens.json' },
    // With `npm start -- --in-memory` no tokens file is written: pass the order's channel token.
    token: { type: 'string', default: process.env.TOKEN },
  },
  help: {
    code: `with status exception: ${DELIVERY_EXCEPTION_CODES.join(', ')}`,
    parcel: 'which parcel of the order, from 1 (default 1)',
    'event-id': "the carrier's event id (default: a new one; repeat one to see the duplicate answered)",
    url: 'the local cloud (default: BASE_URL, else http://127.0.0.1:$PORT, PORT default 3000)',
    tokens: 'the development tokens npm start writes (default .local/dev-tokens.json)',
    token: "a channel token instead, e.g. with npm start -- --in-memory (default: TOKEN)",
  },
});
const [orderId, status] = positionals;
if (!orderId || !(PARCEL_STATUSES.includes(status as ParcelStatus) || status === EXCEPTION_STATUS)) {
  fail(`npm run carrier:callback: give <orderId> and one of ${[...PARCEL_STATUSES, EXCEPTION_STATUS].join(', ')} (see npm run carrier:callback -- --help)`, 2);
}
if ((status === EXCEPTION_STATUS) !== (values.code !== undefined) || (values.code && !DELIVERY_EXCEPTION_CODES.includes(values.code as DeliveryExceptionCode))) {
  fail(`npm run carrier:callback: status exception takes --code, one of ${DELIVERY_EXCEPTION_CODES.join(', ')}, and no other status does`, 2);
}

function channelTokens(): string[] {
  if (!existsSync(values.tokens)) {
    fail(`No tokens file at ${values.tokens}: npm start writes it (not with --in-memory); or pass --token <the order's channel token>.`);
  }
  return Object.values((JSON.parse(readFileSync(values.tokens, 'utf8')) as { channels: Record<string, string> }).channels);
}

/** A channel sees only its own orders (another's answers 404), so try each channel's token. */
async function readOrder(): Promise<Order> {
  const candidates = values.token ? [values.token] : channelTokens();
  let last = '';
  for (const token of candidates) {
    const response = await fetchLocalCloud(values.url, `/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.ok) return (await response.json()) as Order;
    last = `${response.status} ${await response.text()}`;
  }
  fail(`GET /orders/${orderId} with ${values.token ? 'the given token' : `each channel token in ${values.tokens}`}: ${last}`);
}
const order = await readOrder();
const parcel = order.shipment?.parcels[Number(values.parcel) - 1];
if (!parcel) fail(`Order ${orderId} is ${order.status} and has no parcel ${values.parcel} yet`);
const secret = localCarrierSecret(parcel.carrier);
if (!secret) fail(`No local secret for carrier ${parcel.carrier}: add it to CARRIER_WEBHOOK_SECRETS`);

const body = JSON.stringify({
  eventId: values['event-id'] ?? randomUUID(),
  trackingNumber: parcel.trackingNumber,
  status,
  ...(values.code ? { exceptionCode: values.code } : {}),
  occurredAt: new Date().toISOString(),
});
const path = `/carriers/${parcel.carrier}/events`;
const signature = signatureHeader(secret, body);
console.log(`POST ${values.url}${path}\n${SIGNATURE_HEADER}: ${signature}\n${body}\n`);
const response = await fetchLocalCloud(values.url, path, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
console.log(`${response.status} ${await response.text()}`);
process.exitCode = response.ok ? 0 : 1;
