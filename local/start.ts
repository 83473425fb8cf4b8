/**
 * `npm start`: the whole pipeline on this machine. Prints development tokens (one per demo
 * channel, one for operators), also written to <data dir>/dev-tokens.json. Ctrl-C stops
 * everything, Java included.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { JavaMissingError, assertJava17 } from './dynamodb/dynamodb-local.ts';
import { localCarrierSecretsDocument } from './carrier-secrets.ts';
import { fail, localCloudUrl, parseCommandLine } from './cli.ts';
import { DEMO_CHANNELS, EXAMPLE_ORDER, seedDemoData } from './demo-data.ts';
import { localPartners } from './local-partners.ts';
import { SCOPES } from '../functions/http/access.ts';
import { PROJECT_ROOT, startLocalCloud, type LocalCloud } from './local-cloud.ts';
import { SYNTH_CACHE_DIR } from './synth-cache.ts';
import { CONTEXT_KEYS } from '../lib/pipeline-context.ts';

const { values } = parseCommandLine({
  script: 'start',
  summary: 'Runs the whole pipeline on this machine: the synthesized app on DynamoDB Local, local EventBridge, Step Functions and the HTTP API.',
  options: {
    'in-memory': { type: 'boolean', default: false },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    partners: { type: 'string' },
    channels: { type: 'string' },
    secrets: { type: 'string' },
    'order-intake': { type: 'string' },
  },
  help: {
    'order-intake': 'direct (default) or queue: POST /orders writes at once, or queues and answers 202 (the storage-first intake, context orderPipeline:orderIntake)',
    'in-memory': 'keep nothing: no data directory',
    port: 'HTTP port of the API (default: PORT, else 3000)',
    'data-dir': 'where orders, stock, archive and logs survive restarts (default: DATA_DIR, else .local/)',
    partners: 'partners file (default config/partners.json)',
    channels: 'channels file: hold window and payment settings per channel (default config/channels.json)',
    secrets: "values of the secrets partner connections name, as Secrets Manager would hold them (default: LOCAL_SECRETS_FILE, else .local/secrets.json); a partner whose secret is missing is not run",
  },
});

const port = Number(values.port ?? (process.env.PORT || 3000));
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`npm start: the port must be a number from 0 to 65535, not "${values.port ?? process.env.PORT}"`, 2);
const dataDir = values['in-memory'] ? undefined : resolve(values['data-dir'] ?? (process.env.DATA_DIR || join(PROJECT_ROOT, '.local')));
const secretsFile = resolve(values.secrets ?? (process.env.LOCAL_SECRETS_FILE || join(PROJECT_ROOT, '.local', 'secrets.json')));
const partnersFile = resolve(values.partners ?? join(PROJECT_ROOT, 'config', 'partners.json'));
const channelsFile = resolve(values.channels ?? join(PROJECT_ROOT, 'config', 'channels.json'));
const log = (line: string) => console.log(`\x1b[2m[local]\x1b[0m ${line}`);

function portInUse(candidate: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolvePort(error.code === 'EADDRINUSE'));
    probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolvePort(false)));
  });
}
const portTaken = (taken: number) =>
  `Port ${taken} is in use (another npm start?): stop what listens there, or start on another port: PORT=${taken + 1} npm start`;
if (port !== 0 && (await portInUse(port))) fail(portTaken(port));
if (!existsSync(partnersFile)) fail(`No partners file at ${partnersFile}: pass one with --partners <file>`);
if (!existsSync(channelsFile)) fail(`No channels file at ${channelsFile}: pass one with --channels <file>`);
try {
  assertJava17();
} catch (error) {
  if (error instanceof JavaMissingError) fail(error.message);
  throw error;
}

// Stopping is wired before anything starts, so Ctrl-C during startup stops what started too.
let starting: Promise<LocalCloud | undefined> = Promise.resolve(undefined);
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    log(`${signal} again: exiting now`);
    process.exit(130);
  }
  stopping = true;
  log(`${signal}: stopping`);
  await (await starting)?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, Record<string, string>>) : {};
const partners = localPartners(partnersFile, secrets);
// The partners that run, as a file to synthesize with; the cache key covers its content.
mkdirSync(SYNTH_CACHE_DIR, { recursive: true });
const runningPartnersFile = join(SYNTH_CACHE_DIR, 'partners-local.json');
writeFileSync(runningPartnersFile, JSON.stringify(partners.document, null, 2));

process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
const started = startLocalCloud({
  port,
  ...(dataDir ? { dataDir } : {}),
  partnersFile: runningPartnersFile,
  ...(values['order-intake'] ? { context: { [CONTEXT_KEYS.orderIntake.key]: values['order-intake'] } } : {}),
  channelsFile,
  synthCacheDir: SYNTH_CACHE_DIR,
  // The terminal's Ctrl-C reaches only this process, which stops the relays before the database.
  databaseInOwnProcessGroup: true,
  secrets,
  log,
});
starting = started.catch(() => undefined);
let cloud: LocalCloud;
try {
  cloud = await started;
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(portTaken(port));
  throw error;
}
// Stopping already: the handler stops the cloud and exits.
if (stopping) await new Promise(() => undefined);
const partnerLines = [
  `partners: ${partners.enabled.join(', ') || 'none'} (from ${partnersFile}; local secrets from ${existsSync(secretsFile) ? secretsFile : `${secretsFile}, absent`})`,
  ...partners.disabled.map(
    ({ name, secretName }) => `partner ${name} not run: no local secret "${secretName}" in ${secretsFile} (see README "Partners", Run it locally)`,
  ),
];
partnerLines.forEach((line) => log(line));

/** Long-lived, as development tokens are: re-issued at every start, valid for 30 days. */
const TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
const tokens = {
  channels: Object.fromEntries(
    await Promise.all(
      DEMO_CHANNELS.map(async (channel) => [channel, await cloud.issueToken({ scopes: [SCOPES.channel], channel, expiresIn: TOKEN_LIFETIME_SECONDS })]),
    ),
  ) as Record<(typeof DEMO_CHANNELS)[number], string>,
  admin: await cloud.issueToken({ scopes: [SCOPES.admin], clientId: 'operator', expiresIn: TOKEN_LIFETIME_SECONDS }),
  support: await cloud.issueToken({ scopes: [SCOPES.support], clientId: 'support-desk', expiresIn: TOKEN_LIFETIME_SECONDS }),
};
if (dataDir) writeFileSync(join(dataDir, 'dev-tokens.json'), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });

const seeded = await seedDemoData(cloud.url, tokens.admin);
log(seeded === 'seeded' ? 'demo routing and return policies and stock seeded (TEA-001, MUG-002, CHILI-OIL-003, FLASH-SALE-100)' : 'existing data kept');
log(dataDir ? `data in ${dataDir} (orders, stock, archive and function logs survive restarts)` : 'in memory: nothing is kept');

// The scripts find this cloud by themselves when it runs where they look by default.
const npmRun = cloud.url === localCloudUrl() ? 'npm run' : `BASE_URL=${cloud.url} npm run`;
const example = JSON.stringify({ ...EXAMPLE_ORDER, channelOrderId: `WEB-${Date.now()}` });
const channelTokens = Object.entries(tokens.channels)
  .map(([channel, token]) => `  ${channel.padEnd(12)} ${token}`)
  .join('\n');
console.log(`
Order pipeline running at ${cloud.url}

Development tokens (scope ${SCOPES.channel} per channel, ${SCOPES.admin} and ${SCOPES.support} for operators)${dataDir ? `, also in ${join(dataDir, 'dev-tokens.json')}` : ''}:
${channelTokens}
  ${'admin'.padEnd(12)} ${tokens.admin}
  ${'support'.padEnd(12)} ${tokens.support}

Place an order as web-shop:
  TOKEN=${tokens.channels['web-shop']}
  curl -s -X POST ${cloud.url}/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${example}'

Operations console:   ${cloud.url}/console/#token=${tokens.admin}

Then watch it move:   curl -s ${cloud.url}/orders/<orderId>/timeline -H "authorization: Bearer $TOKEN"
API description:      curl -s ${cloud.url}/openapi.json
Live events:          ${npmRun} tail        (or: curl -N ${cloud.url}/_local/feed)
Workflow executions:  curl -s ${cloud.url}/_local/executions
Stock (operators):    curl -s ${cloud.url}/inventory/TEA-001 -H "authorization: Bearer ${tokens.admin}"
Partners:             ${partners.enabled.join(', ') || 'none'} run locally${partners.disabled.length ? `; not run, their secrets are not in ${secretsFile}: ${partners.disabled.map((p) => p.name).join(', ')}` : ''}
Partner deliveries:   ${npmRun} tail, curl -s ${cloud.url}/_local/dead-letters, curl -s ${cloud.url}/_local/event-bus-deliveries
Replay to a partner:  ${npmRun} replay -- --partner <name> --from <iso> --to <iso>

Play the carrier once it is SHIPMENT_REQUESTED (signed callbacks, see README "Carriers"):
  ${npmRun} carrier:callback -- <orderId> picked_up      (then in_transit, delivered)
Carrier callback secrets: ${localCarrierSecretsDocument()}

Every script takes --help; they find this cloud at BASE_URL (default http://127.0.0.1:$PORT, PORT default 3000).
Ctrl-C to stop.
`);
