/**
 * `npm run tail`: prints the local cloud's events, workflow executions, partner
 * deliveries and dead letters as they happen.
 */
import { fail, fetchLocalCloud, localCloudUrl, parseCommandLine } from './cli.ts';
import type { FeedItem } from './feed.ts';

const TAIL_COMMAND = {
  script: 'tail',
  summary: "Prints the local cloud's events, workflow executions, partner deliveries and dead letters as they happen.",
  options: { replay: { type: 'boolean', default: false }, url: { type: 'string' } },
  help: {
    replay: 'print the history kept so far first',
    url: 'the local cloud (default: BASE_URL, else http://127.0.0.1:$PORT, PORT default 3000)',
  },
} as const;

export function formatFeedItem(item: FeedItem): string {
  const time = item.at.slice(11, 23);
  if (item.kind === 'event') {
    const detail = item.event.detail as { orderId?: string; sequence?: number; status?: string; data?: { reason?: string } };
    const reason = detail.data?.reason ? ` (${detail.data.reason})` : '';
    return `${time}  event      ${item.event['detail-type'].padEnd(24)} order ${detail.orderId ?? '-'} #${detail.sequence ?? '-'} → ${detail.status ?? '-'}${reason}`;
  }
  if (item.kind === 'execution') {
    const orderId = (item.input as { detail?: { orderId?: string } })?.detail?.orderId ?? '-';
    const error = item.error ? ` ${item.error}: ${item.cause ?? ''}` : '';
    return `${time}  workflow   ${item.status.padEnd(24)} order ${orderId}${error}`;
  }
  if (item.kind === 'delivery') {
    const outcome = item.outcome === 'delivered' ? `delivered${item.status ? ` ${item.status}` : ''}` : `failed: ${item.error ?? ''}`;
    return `${time}  partner    ${item.detailType.padEnd(24)} ${item.rule} → ${item.destination} ${outcome}`;
  }
  return `${time}  DLQ        ${item.queue.padEnd(24)} ${JSON.stringify(item.message).slice(0, 160)}`;
}

async function main(): Promise<void> {
  const { values } = parseCommandLine(TAIL_COMMAND);
  const baseUrl = values.url ?? localCloudUrl();
  const response = await fetchLocalCloud(baseUrl, `/_local/feed${values.replay ? '?replay=true' : ''}`);
  if (!response.ok || !response.body) fail(`${baseUrl} answered ${response.status} to /_local/feed: is it the local cloud (npm start)?`);
  console.log(`watching ${baseUrl} (Ctrl-C to stop)`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (message.startsWith('data: ')) console.log(formatFeedItem(JSON.parse(message.slice(6)) as FeedItem));
    }
  }
  console.log(`the local cloud at ${baseUrl} stopped`);
}

if (import.meta.main) await main();
