/**
 * `npm start`: the whole pipeline on this machine. PORT (default 3000) and
 * DATA_DIR (default .local/) or --in-memory; --partners <file> (default config/partners.json)
 * and --secrets <file> (default .local/secrets.json: the values of the secrets partner
 * connections name, standing in for Secrets Manager). Ctrl-C stops everything, Java included.
 * Prints development tokens (one per demo channel, one for operators), also written
 * to <data dir>/dev-tokens.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JavaMissingError, assertJava17 } from './dynamodb/dynamodb-local.ts';
import { localCarrierSecretsDocument } from './carrier-secrets.ts';
import { DEMO_CHANNELS, EXAMPLE_ORDER, seedDemoData } from './demo-data.ts';
import { SCOPES } from '../functions/http/access.ts';
import { PROJECT_ROOT, startLocalCloud } from './local-cloud.ts';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    partners: { type: 'string' },
    secrets: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.PORT ?? 3000);
const dataDir = values['in-memory'] ? undefined : (values['data-dir'] ?? process.env.DATA_DIR ?? join(PROJECT_ROOT, '.local'));
const secretsFile = resolve(values.secrets ?? process.env.LOCAL_SECRETS_FILE ?? join(PROJECT_ROOT, '.local', 'secrets.json'));
const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, Record<string, string>>) : {};
const log = (line: string) => console.log(`\x1b[2m[local]\x1b[0m ${line}`);

try {
  assertJava17();
} catch (error) {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
const cloud = await startLocalCloud({
  port,
  ...(dataDir ? { dataDir } : {}),
  ...(values.partners ? { partnersFile: resolve(values.partners) } : {}),
  secrets,
  log,
});
log(`partners: ${cloud.topology.rules.filter((rule) => rule.name.startsWith('partner-')).map((rule) => rule.name).join(', ') || 'none'}; local secrets from ${existsSync(secretsFile) ? secretsFile : '(none)'}`);
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

/** Long-lived, as development tokens are: re-issued at every start, valid for 30 days. */
const TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
const tokens = {
  channels: Object.fromEntries(
    await Promise.all(
      DEMO_CHANNELS.map(async (channel) => [channel, await cloud.issueToken({ scopes: [SCOPES.channel], channel, expiresIn: TOKEN_LIFETIME_SECONDS })]),
    ),
  ) as Record<(typeof DEMO_CHANNELS)[number], string>,
  admin: await cloud.issueToken({ scopes: [SCOPES.admin], clientId: 'operator', expiresIn: TOKEN_LIFETIME_SECONDS }),
};
if (dataDir) writeFileSync(join(dataDir, 'dev-tokens.json'), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });

const seeded = await seedDemoData(cloud.url, tokens.admin);
log(seeded === 'seeded' ? 'demo routing policy and stock seeded (TEA-001, MUG-002, CHILI-OIL-003, FLASH-SALE-100)' : 'existing data kept');
log(dataDir ? `data in ${dataDir} (orders, stock, archive and function logs survive restarts)` : 'in memory: nothing is kept');

const example = JSON.stringify({ ...EXAMPLE_ORDER, channelOrderId: `WEB-${Date.now()}` });
const channelTokens = Object.entries(tokens.channels)
  .map(([channel, token]) => `  ${channel.padEnd(12)} ${token}`)
  .join('\n');
console.log(`
Order pipeline running at ${cloud.url}

Development tokens (scope ${SCOPES.channel} per channel, ${SCOPES.admin} for operators)${dataDir ? `, also in ${join(dataDir, 'dev-tokens.json')}` : ''}:
${channelTokens}
  ${'admin'.padEnd(12)} ${tokens.admin}

Place an order as web-shop:
  TOKEN=${tokens.channels['web-shop']}
  curl -s -X POST ${cloud.url}/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${example}'

Then watch it move:   curl -s ${cloud.url}/orders/<orderId>/timeline -H "authorization: Bearer $TOKEN"
API description:      curl -s ${cloud.url}/openapi.json
Live events:          npm run tail        (or: curl -N ${cloud.url}/_local/feed)
Workflow executions:  curl -s ${cloud.url}/_local/executions
Stock (operators):    curl -s ${cloud.url}/inventory/TEA-001 -H "authorization: Bearer ${tokens.admin}"
Partner deliveries:   npm run tail, curl -s ${cloud.url}/_local/dead-letters, curl -s ${cloud.url}/_local/event-bus-deliveries
Replay to a partner:  npm run replay -- --partner <name> --from <iso> --to <iso>

Play the carrier once it is SHIPMENT_REQUESTED (signed callbacks, see README "Carriers"):
  npm run carrier:callback -- <orderId> picked_up      (then in_transit, delivered)
Carrier callback secrets: ${localCarrierSecretsDocument()}

Ctrl-C to stop.
`);
