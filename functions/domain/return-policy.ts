/**
 * The return policy: data next to the routing policy, versioned and saved the same way
 * (`PUT /policies/returns` with If-Match). It says how long after delivery a customer may
 * return, what may not be returned at all, and which returns need no operator's approval.
 * Pure: validated with zod, read by `returns.ts`.
 */
import * as z from 'zod';
import { CUSTOMER_TIERS, type ProductAttributes, RETURN_REASON_CODES, type ReturnReasonCode } from './vocabulary.ts';

// Defined with the domain's words, so that a request or event schema naming a reason does not build the policy's schema at import.
export { RETURN_REASON_CODES, type ReturnReasonCode };

/** Reasons that are the seller's fault: units found damaged on inspection are refunded too. */
export const SELLER_FAULT_REASONS: readonly ReturnReasonCode[] = ['DAMAGED_ON_ARRIVAL', 'DEFECTIVE', 'WRONG_ITEM', 'NOT_AS_DESCRIBED'];

/** Product attributes (vocabulary.ts) a policy may declare non-returnable. */
export const RETURNABLE_ATTRIBUTE_FLAGS = ['fragile', 'liquid', 'coldChain', 'hazmat'] as const satisfies readonly (keyof ProductAttributes)[];

const sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Use 1-64 letters, digits, ".", "_" or "-"');

export const returnPolicySchema = z
  .strictObject({
    windowDays: z.number().int().min(0).max(365).describe('Days after delivery within which a return may be requested.'),
    nonReturnable: z
      .strictObject({
        skus: z.array(sku).max(1000).default([]).describe('SKUs that are never returnable.'),
        attributes: z.array(z.enum(RETURNABLE_ATTRIBUTE_FLAGS)).default([]).describe('Lines carrying any of these product attributes are not returnable.'),
      })
      .default({ skus: [], attributes: [] }),
    autoApprove: z
      .array(
        z.strictObject({
          reasonCodes: z.array(z.enum(RETURN_REASON_CODES)).min(1),
          tiers: z.array(z.enum(CUSTOMER_TIERS)).min(1),
        }),
      )
      .max(50)
      .default([])
      .describe('A return whose reason and customer tier are both listed in one rule is approved at once; others wait for an operator.'),
  })
  .describe('How long after delivery, what, and which returns need no approval.');

export type ReturnPolicy = z.infer<typeof returnPolicySchema>;
export type ReturnPolicyDocument = z.input<typeof returnPolicySchema>;

/** What applies while no policy is saved: 14 days, everything returnable, every return approved by an operator. */
export const DEFAULT_RETURN_POLICY: ReturnPolicy = { windowDays: 14, nonReturnable: { skus: [], attributes: [] }, autoApprove: [] };

/** The demo policy `npm start` seeds: 30 days, hazardous and cold-chain goods excluded, the seller's faults and VIPs approved at once. */
export const DEMO_RETURN_POLICY_DOCUMENT: ReturnPolicyDocument = {
  windowDays: 30,
  nonReturnable: { skus: [], attributes: ['hazmat', 'coldChain'] },
  autoApprove: [
    { reasonCodes: [...SELLER_FAULT_REASONS], tiers: [...CUSTOMER_TIERS] },
    { reasonCodes: [...RETURN_REASON_CODES], tiers: ['vip'] },
  ],
};
