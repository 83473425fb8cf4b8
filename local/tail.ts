/**
 * `npm run tail`: prints the local cloud's events, workflow executions, partner
 * deliveries and dead letters as they happen. BASE_URL (default http://127.0.0.1:3000), --replay for history.
 */
import { parseArgs } from 'node:util';
import type { FeedItem } from './feed.ts';

const { values } = parseArgs({ options: { replay: { type: 'boolean', default: false }, url: { type: 'string' } } });
const baseUrl = values.url ?? process.env.BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

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
  const response = await fetch(`${baseUrl}/_local/feed${values.replay ? '?replay=true' : ''}`).catch(() => undefined);
  if (!response?.ok || !response.body) {
    console.error(`No local cloud at ${baseUrl}; start it with npm start`);
    process.exit(1);
  }
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
}

if (import.meta.main) await main();
