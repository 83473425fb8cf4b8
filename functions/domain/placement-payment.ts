/**
 * What an order is placed with about its payment, and what it records of it (domain/payment.ts decides
 * it). Apart from payment.ts so that placing an order (order.ts) needs none of the decisions. Pure.
 */
import { DEFAULT_CHANNEL_SETTINGS, type ChannelSettings, type LockStockAt } from './channel-settings.ts';

/** What a channel may say about the payment when placing: absent means authorized (paid before placing). */
export const PLACEMENT_PAYMENT_STATUSES = ['authorized', 'pending'] as const;
/** Where the order's payment stands: decided by the channel, or `timed_out` by its channel's timeout. */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'failed', 'timed_out'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** The payment as the channel describes it when placing; provider and reference are identifiers, never personal data. */
export interface PaymentRequest {
  status: (typeof PLACEMENT_PAYMENT_STATUSES)[number];
  provider?: string;
  reference?: string;
}

/** A channel's payment gate settings (config/channels.json, domain/channel-settings.ts). */
export type PaymentSettings = ChannelSettings['payment'];

/** For a channel the settings do not list. */
export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = DEFAULT_CHANNEL_SETTINGS.payment;

/** The payment as the order records it. */
export interface Payment {
  status: PaymentStatus;
  provider?: string;
  /** The provider's payment id: kept on the order, never published. */
  reference?: string;
  /** For an order placed pending: when stock is locked, fixed at placement from its channel's settings. */
  lockStockAt?: LockStockAt;
  /** For an order placed pending: when it is cancelled unless paid. */
  dueAt?: string;
  /** Set once the workflow locked the order's stock while its payment was pending (lockStockAt `placement`). */
  stockLocked?: boolean;
  /** When the payment was decided (reported, or timed out). */
  decidedAt?: string;
}

const addSeconds = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();

/** The status an order is placed in: PAYMENT_PENDING when its payment is, PLACED otherwise (today's behaviour). */
export function placedStatusOf(request: { payment?: PaymentRequest }): 'PAYMENT_PENDING' | 'PLACED' {
  return request.payment?.status === 'pending' ? 'PAYMENT_PENDING' : 'PLACED';
}

/** The payment an order is placed with; undefined when the channel said nothing about it. */
export function paymentAtPlacement(request: { payment?: PaymentRequest }, settings: PaymentSettings, now: string): Payment | undefined {
  const given = request.payment;
  if (!given) return undefined;
  const ids = { ...(given.provider ? { provider: given.provider } : {}), ...(given.reference ? { reference: given.reference } : {}) };
  if (given.status === 'authorized') return { status: 'authorized', ...ids, decidedAt: now };
  return { status: 'pending', ...ids, lockStockAt: settings.lockStockAt, dueAt: addSeconds(now, settings.timeoutSeconds) };
}
