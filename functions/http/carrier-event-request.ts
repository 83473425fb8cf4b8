/**
 * `POST /carriers/{carrierId}/events`: a carrier's callback. Apart from the other request shapes
 * (schemas.ts) because a carrier is named as the routing policy names it, and that module builds
 * the whole routing policy's schema at import: only this route and the OpenAPI document need it.
 */
import * as z from 'zod';
import { policyIdSchema } from '../domain/routing/routing-policy.ts';
import { EXCEPTION_STATUS } from '../domain/shipment-tracking.ts';
import { DELIVERY_EXCEPTION_CODES, PARCEL_STATUSES } from '../domain/vocabulary.ts';

/** As the routing policy names carriers. */
export const carrierIdSchema = policyIdSchema;

/**
 * A carrier's callback. Not strict: carriers add fields without notice, and refusing them
 * would fail every callback until we deploy; only the fields read here are checked.
 */
export const carrierEventSchema = z
  .object({
    eventId: z.string().regex(/^[\x21-\x7E]{1,128}$/, 'Use 1-128 printable ASCII characters without spaces'),
    trackingNumber: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'Use 1-64 letters, digits or dashes'),
    status: z.enum([...PARCEL_STATUSES, EXCEPTION_STATUS]),
    exceptionCode: z
      .enum(DELIVERY_EXCEPTION_CODES)
      .optional()
      .describe('With status `exception` (required then): what went wrong, as a code. Free text from the carrier is not taken.'),
    occurredAt: z.iso.datetime({ offset: true, message: 'Must be an ISO 8601 date-time with a time zone' }),
  })
  .superRefine((event, context) => {
    if ((event.status === EXCEPTION_STATUS) !== (event.exceptionCode !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['exceptionCode'],
        message: event.status === EXCEPTION_STATUS ? 'Required with status exception' : 'Only with status exception',
      });
    }
  });
