/**
 * `npm run replay -- --partner <name> --from <iso> --to <iso>`: re-sends the events the running
 * local cloud archived in that time range to one partner's rule only, like `aws events
 * start-replay` with `Destination.FilterArns` = that rule. `--rule <name>` replays to any rule.
 * BASE_URL or --url (default http://127.0.0.1:3000).
 */
import { parseArgs } from 'node:util';
import { partnerRuleName } from '../lib/partner-subscriptions.ts';

const { values } = parseArgs({
  options: {
    partner: { type: 'string' },
    rule: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string', default: new Date().toISOString() },
    url: { type: 'string' },
  },
});
const baseUrl = values.url ?? process.env.BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const rule = values.rule ?? (values.partner ? partnerRuleName(values.partner) : undefined);
if (!rule || !values.from) {
  console.error('Usage: npm run replay -- --partner <name> --from <iso> [--to <iso>]   (or --rule <rule name>)');
  process.exit(2);
}
const response = await fetch(`${baseUrl}/_local/replays`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ rule, from: values.from, to: values.to }),
}).catch(() => undefined);
if (!response) {
  console.error(`No local cloud at ${baseUrl}; start it with npm start`);
  process.exit(1);
}
const answer = (await response.json()) as { message?: string; deliveries?: number };
if (!response.ok) {
  console.error(answer.message);
  process.exit(1);
}
console.log(`replaying to ${rule}: ${answer.deliveries} deliveries started (watch them with npm run tail)`);
