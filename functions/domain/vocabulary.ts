/**
 * The words every part of the domain shares: who the customer is, what they ask for, where it
 * goes, what a line and an allocation are, what a carrier says about a parcel. The order, stock,
 * routing and tracking modules import these from here and never from each other's vocabulary,
 * so no module of the domain depends on one that depends back on it.
 */

export const CUSTOMER_TIERS = ['standard', 'plus', 'vip'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export const DELIVERY_PREFERENCES = ['fastest', 'cheapest', 'greenest'] as const;
export type DeliveryPreference = (typeof DELIVERY_PREFERENCES)[number];

export interface ProductAttributes {
  fragile?: boolean;
  liquid?: boolean;
  coldChain?: boolean;
  hazmat?: boolean;
  weightGrams?: number;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  /** Integer, minor currency units. */
  unitPrice: number;
  /** What routing must respect: no air for liquids or fragile goods, cold chain, hazmat, weight. */
  attributes?: ProductAttributes;
}

export interface SkuQuantity {
  sku: string;
  quantity: number;
}

export interface ShipTo {
  name: string;
  phone: string;
  country: string;
  region: string;
  city: string;
  postalCode: string;
  line1: string;
}

/** Units of a SKU a warehouse ships for an order. */
export interface Allocation {
  sku: string;
  warehouseId: string;
  quantity: number;
}

/** What a carrier reports about a parcel, in the only order it may move (see shipment-tracking.ts). */
export const PARCEL_STATUSES = ['picked_up', 'in_transit', 'out_for_delivery', 'delivered'] as const;
export type ParcelStatus = (typeof PARCEL_STATUSES)[number];

/**
 * What a carrier may report going wrong with a parcel, as a closed set of codes: a carrier's
 * own wording is free text (a driver's note can name the customer) and is never taken.
 */
export const DELIVERY_EXCEPTION_CODES = ['FAILED_ATTEMPT', 'DAMAGED', 'LOST', 'REFUSED', 'ADDRESS_PROBLEM'] as const;
export type DeliveryExceptionCode = (typeof DELIVERY_EXCEPTION_CODES)[number];

/**
 * Why a customer returns, as a closed set: events carry the code, never words the customer
 * typed. The first four are the seller's fault, which decides whether damaged units are refunded.
 */
export const RETURN_REASON_CODES = [
  'DAMAGED_ON_ARRIVAL',
  'DEFECTIVE',
  'WRONG_ITEM',
  'NOT_AS_DESCRIBED',
  'SIZE_OR_FIT',
  'CHANGED_MIND',
  'OTHER',
] as const;
export type ReturnReasonCode = (typeof RETURN_REASON_CODES)[number];
