/**
 * `npm run replay -- --partner <name> --from <iso> --to <iso>`: re-sends the events the running
 * local cloud archived in that time range to one partner's rule only, like `aws events
 * start-replay` with `Destination.FilterArns` = that rule.
 */
import { partnerRuleName } from '../lib/partner-subscriptions.ts';
import { fail, fetchLocalCloud, localCloudUrl, parseCommandLine } from './cli.ts';

const { values } = parseCommandLine({
  script: 'replay',
  summary: "Re-sends the events the running local cloud archived between --from and --to to one partner's rule only (aws events start-replay with Destination.FilterArns).",
  options: {
    partner: { type: 'string' },
    rule: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    url: { type: 'string' },
  },
  help: {
    partner: 'the partner whose rule receives the events (partner-<name>)',
    rule: 'any rule on the order bus instead, by name',
    from: 'start of the window, ISO 8601 (required)',
    to: 'end of the window, ISO 8601 (default: now)',
    url: 'the local cloud (default: BASE_URL, else http://127.0.0.1:$PORT, PORT default 3000)',
  },
});
const baseUrl = values.url ?? localCloudUrl();
const rule = values.rule ?? (values.partner ? partnerRuleName(values.partner) : undefined);
if (!rule || !values.from) fail('npm run replay: give --partner <name> (or --rule <name>) and --from <iso> (see npm run replay -- --help)', 2);
const response = await fetchLocalCloud(baseUrl, '/_local/replays', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ rule, from: values.from, to: values.to ?? new Date().toISOString() }),
});
const answer = (await response.json().catch(() => ({}))) as { message?: string; deliveries?: number };
if (!response.ok) fail(answer.message ?? `${baseUrl} answered ${response.status}`);
console.log(`replaying to ${rule}: ${answer.deliveries} deliveries started (watch them with npm run tail)`);
