import { SIGNATURE_HEADER, verifyCarrierSignature } from '../carriers/webhook-signature.ts';
import { carrierSecretsFromEnvironment, type CarrierSecrets } from '../carriers/carrier-secrets.ts';
import { carrierEventSchema, carrierIdSchema } from '../http/schemas.ts';
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
  secrets ??= carrierSecretsFromEnvironment();
  const carrierSecrets = await secrets.secretsFor(carrierId);
  // Carrier ids are not secret (the routing policy and OrderRouted events name them), so a 404
  // here tells an integrator their URL is wrong rather than leaving them to doubt their signature.
  if (carrierSecrets.length === 0) throw problems.unknownCarrier(carrierId);
  const body = rawBody(event);
  // Before the MAC: anyone can call this route, and hashing is the work it would make us do.
  if (body.length > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
  const check = verifyCarrierSignature({
    header: header(event, SIGNATURE_HEADER),
    rawBody: body,
    secrets: carrierSecrets,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  if (!check.valid) {
    metrics.addMetric('CarrierCallbacksRefused', 'Count', 1);
    throw problems.invalidSignature(check.reason);
  }
  const result = await recordCarrierEvent(dependencies(), carrierId, jsonBody(event, carrierEventSchema));
  metrics.addMetric(OUTCOME_METRICS[result.outcome], 'Count', 1);
  return json(200, result);
});
