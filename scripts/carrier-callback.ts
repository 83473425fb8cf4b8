/**
 * `npm run carrier:callback -- <orderId> <status> [--parcel N] [--event-id ID] [--url URL] [--tokens FILE | --token JWT]`
 *
 * Plays a carrier calling back about one parcel of an order on the local cloud: reads the
 * order for the parcel's carrier and tracking number (with the development token of whichever
 * channel owns it, from the file `npm start` writes), signs the callback with that carrier's
 * local secret (see local/carrier-secrets.ts) and posts it. Prints the request and the answer.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SIGNATURE_HEADER, signatureHeader } from '../functions/carriers/webhook-signature.ts';
import { PARCEL_STATUSES, type ParcelStatus } from '../functions/domain/shipment-tracking.ts';
import type { Order } from '../functions/domain/order.ts';
import { localCarrierSecret } from '../local/carrier-secrets.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    parcel: { type: 'string', default: '1' },
    'event-id': { type: 'string' },
    url: { type: 'string', default: process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    tokens: { type: 'string', default: '.local/dev-tokens.json' },
    // With `npm start -- --in-memory` no tokens file is written: pass the order's channel token.
    token: { type: 'string', default: process.env.TOKEN },
  },
});
const [orderId, status] = positionals;
if (!orderId || !PARCEL_STATUSES.includes(status as ParcelStatus)) {
  console.error(`usage: npm run carrier:callback -- <orderId> <${PARCEL_STATUSES.join('|')}> [--parcel N] [--event-id ID] [--url URL]`);
  process.exit(2);
}

/** A channel sees only its own orders (another's answers 404), so try each channel's token. */
async function readOrder(): Promise<Order> {
  const candidates = values.token
    ? [values.token]
    : Object.values((JSON.parse(readFileSync(values.tokens, 'utf8')) as { channels: Record<string, string> }).channels);
  let last = '';
  for (const token of candidates) {
    const response = await fetch(`${values.url}/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.ok) return (await response.json()) as Order;
    last = `${response.status} ${await response.text()}`;
  }
  console.error(`GET /orders/${orderId} with ${values.token ? 'the given token' : `each channel token in ${values.tokens}`}: ${last}`);
  process.exit(1);
}
const order = await readOrder();
const parcel = order.shipment?.parcels[Number(values.parcel) - 1];
if (!parcel) {
  console.error(`Order ${orderId} is ${order.status} and has no parcel ${values.parcel} yet`);
  process.exit(1);
}
const secret = localCarrierSecret(parcel.carrier);
if (!secret) {
  console.error(`No local secret for carrier ${parcel.carrier}: add it to CARRIER_WEBHOOK_SECRETS`);
  process.exit(1);
}

const body = JSON.stringify({
  eventId: values['event-id'] ?? randomUUID(),
  trackingNumber: parcel.trackingNumber,
  status,
  occurredAt: new Date().toISOString(),
});
const url = `${values.url}/carriers/${parcel.carrier}/events`;
const signature = signatureHeader(secret, body);
console.log(`POST ${url}\n${SIGNATURE_HEADER}: ${signature}\n${body}\n`);
const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
console.log(`${response.status} ${await response.text()}`);
process.exitCode = response.ok ? 0 : 1;
