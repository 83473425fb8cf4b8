/**
 * The partner enrichment handler kind: the enrichment step of an EventBridge pipe, with
 * Powertools observability; a batch that throws is logged and retried by the pipe.
 */
import { logFailures } from '../middleware/log-failures.ts';
import { withPowertools } from '../middleware/powertools.ts';

export function enrichmentHandler<Message, Enriched>(enrich: (messages: Message[]) => Promise<Enriched[]>) {
  return withPowertools(enrich).use(logFailures<Message[], Enriched[]>('Enrichment'));
}
