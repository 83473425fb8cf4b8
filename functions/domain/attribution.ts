/**
 * Where an order came from, as the channel's marketing tools describe it: the touchpoints
 * that led to it and a small map of anything else. Typed so that it stays marketing data;
 * the HTTP schema (functions/http/schemas.ts) refuses values that look like personal data.
 */

/** What part a touchpoint played in the conversion. */
export const TOUCHPOINT_ROLES = ['first', 'assist', 'last'] as const;
export type TouchpointRole = (typeof TOUCHPOINT_ROLES)[number];

/** The device class, never the device: no ids, models or user agents. */
export const DEVICE_CLASSES = ['desktop', 'mobile', 'tablet', 'tv', 'other'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export interface Touchpoint {
  /** Marketing channel, e.g. `live-stream`, `search`, `email`. */
  channel: string;
  campaign?: string;
  medium?: string;
  /** When the touch happened, ISO 8601. */
  timestamp?: string;
  role?: TouchpointRole;
  /** Share of the credit, 0 to 1. */
  weight?: number;
  deviceClass?: DeviceClass;
}

export interface Attribution {
  touchpoints?: Touchpoint[];
  /** Anything else the channel tracks, one level deep: click ids, experiment arms, coupon codes. */
  extra?: Record<string, string | number | boolean>;
}

export const ATTRIBUTION_LIMITS = { touchpoints: 20, extraKeys: 20, textLength: 100 } as const;
