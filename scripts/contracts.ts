/**
 * `npm run contracts`: regenerates the published event contracts (`contracts/`) from the zod
 * schemas in functions/domain/events.ts, and removes contract files no event type has any more.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractFiles, EVENT_CONTRACTS_DIR } from '../functions/events/event-contracts.ts';
import { ORDER_EVENT_SOURCE } from '../lib/event-publishing.ts';
import { parseCommandLine } from '../local/cli.ts';

parseCommandLine({
  script: 'contracts',
  summary: 'Regenerates the event contracts in contracts/ from the event schemas, and removes files no event type has any more.',
  options: {},
  help: {},
});

const root = fileURLToPath(new URL('..', import.meta.url));
const files = contractFiles(ORDER_EVENT_SOURCE);
mkdirSync(join(root, EVENT_CONTRACTS_DIR), { recursive: true });
for (const stale of readdirSync(join(root, EVENT_CONTRACTS_DIR))) {
  const file = `${EVENT_CONTRACTS_DIR}/${stale}`;
  if (!files.has(file)) {
    rmSync(join(root, file));
    console.log(`removed ${file}`);
  }
}
for (const [file, content] of files) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
  console.log(`wrote ${file}`);
}
