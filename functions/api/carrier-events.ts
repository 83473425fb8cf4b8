import { authenticateCallback } from '../carriers/callback-authentication.ts';
import { carrierSecretsFromEnvironment, type CarrierSecrets } from '../carriers/carrier-secrets.ts';
import { SIGNATURE_HEADER } from '../carriers/webhook-signature.ts';
import { carrierEventSchema, carrierIdSchema } from '../http/carrier-event-request.ts';
import { MAX_BODY_BYTES, header, jsonBody, rawBody, validate } from '../http/request.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { problems } from '../http/problem.ts';
import { metrics } from '../observability.ts';
import { dependencies } from '../use-cases/dependencies.ts';
import { recordCarrierEvent } from '../use-cases/carrier-events.ts';

let secrets: CarrierSecrets | undefined;

const OUTCOME_METRICS = { applied: 'CarrierEventsApplied', stale: 'CarrierEventsStale', duplicate: 'CarrierEventsDuplicate' } as const;

/**
 * POST /carriers/{carrierId}/events: a carrier's signed callback about a parcel. The signature
 * is the authentication (the route has no authorizer), so nothing in the body is read before it
 * is verified. 200 for every event accepted, including duplicates and late ones, so carriers stop
 * redelivering; 404 for a tracking number not recorded yet, which carriers retry.
 */
export const handler = httpHandler(async (event) => {
  const carrierId = validate(carrierIdSchema, event.pathParameters?.carrierId, 'carrier id');
  const body = rawBody(event);
  // Before the MAC: anyone can call this route, and hashing is the work it would make us do.
  if (body.length > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
  secrets ??= carrierSecretsFromEnvironment();
  await authenticateCallback(secrets, { carrierId, signature: header(event, SIGNATURE_HEADER), rawBody: body }, Math.floor(Date.now() / 1000));
  const result = await recordCarrierEvent(dependencies(), carrierId, jsonBody(event, carrierEventSchema));
  metrics.addMetric(OUTCOME_METRICS[result.outcome], 'Count', 1);
  return json(200, result);
});
