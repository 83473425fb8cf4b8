/** The order request every benchmark sends: one line of one unit, a unique channel order id. */
import { ulid } from 'ulid';

export function benchOrder(sku: string, options: { channel?: string; customer?: number; region?: string; city?: string } = {}) {
  const customer = options.customer ?? 0;
  return {
    channel: options.channel ?? 'bench',
    channelOrderId: `BENCH-${ulid()}`,
    currency: 'CNY',
    customer: { id: `c-${customer % 500}`, tier: customer % 10 === 0 ? ('vip' as const) : ('standard' as const) },
    lines: [{ sku, quantity: 1, unitPrice: 1999 }],
    shipTo: {
      name: 'Bench',
      phone: '+86 138 0000 0000',
      country: 'CN',
      region: options.region ?? 'Shanghai',
      city: options.city ?? options.region ?? 'Shanghai',
      postalCode: '200000',
      line1: '1 Bench Road',
    },
  };
}
