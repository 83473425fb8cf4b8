/**
 * A fresh orders table per test file in the shared DynamoDB Local, created from
 * the synthesized template, and the stores wired to it.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ulid } from 'ulid';
import { localDynamoDbClient as clientFor } from '../../local/dynamodb/dynamodb-local.ts';
import { ensureTable, type TableDefinition } from '../../local/dynamodb/tables.ts';
import { SandboxCarrier } from '../../functions/carriers/sandbox-carrier.ts';
import { createDocumentClient } from '../../functions/store/dynamodb.ts';
import { PolicyStore } from '../../functions/store/policy-store.ts';
import { DEMO_ROUTING_POLICY } from '../../functions/domain/routing/demo-routing-policy.ts';
import { createDependencies, type Dependencies } from '../../functions/use-cases/dependencies.ts';
import { openOrder } from '../../functions/use-cases/personal-data.ts';
import type { Order } from '../../functions/domain/order.ts';

export function localDynamoDbClient(): DynamoDBClient {
  return clientFor(inject('dynamodbEndpoint'), { maxAttempts: 10 });
}

export async function createOrdersTable(client: DynamoDBClient, prefix: string): Promise<string> {
  const definition = JSON.parse(inject('ordersTableTemplateInput')) as TableDefinition;
  const tableName = `${prefix}-${ulid().toLowerCase()}`;
  await ensureTable(client, { ...definition, input: { ...definition.input, TableName: tableName } });
  return tableName;
}

/** A key of the local KMS the run shares: any key ARN is served there. */
export const TEST_PERSONAL_DATA_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/test-personal-data';

/** Points the personal-data cipher (built from the environment, as in the functions) at the run's local KMS. */
export function useLocalKms(): void {
  process.env.AWS_ENDPOINT_URL_KMS = inject('kmsEndpoint');
  process.env.PERSONAL_DATA_KEY_ARN ??= TEST_PERSONAL_DATA_KEY_ARN;
}

/** The order as stored, its personal values opened as the owning channel reads them; undefined if there is none. */
export async function openedOrder(deps: Pick<Dependencies, 'orders' | 'personalData'>, orderId: string): Promise<Order | undefined> {
  const stored = await deps.orders.get(orderId);
  return stored && openOrder(deps.personalData, stored);
}

export async function localDependencies(prefix: string, overrides: Partial<Dependencies> = {}): Promise<Dependencies> {
  useLocalKms();
  const client = localDynamoDbClient();
  const tableName = await createOrdersTable(client, prefix);
  const deps = createDependencies(createDocumentClient(client), tableName, {
    policyCacheMs: 0,
    capacityCacheMs: 0,
    carrier: new SandboxCarrier(),
  });
  await deps.policies.save(DEMO_ROUTING_POLICY, undefined, new Date().toISOString());
  return { ...deps, ...overrides };
}

/**
 * Points the handlers' own environment-driven wiring at a fresh table in DynamoDB
 * Local, exactly as the local cloud does: AWS_ENDPOINT_URL_DYNAMODB, ORDERS_TABLE_NAME and CURSOR_SIGNING_KEY,
 * and the personal-data cipher at the run's local KMS.
 */
export async function useLocalTableForHandlers(prefix: string, options: { seedRoutingPolicy?: boolean } = {}): Promise<string> {
  const client = localDynamoDbClient();
  const tableName = await createOrdersTable(client, prefix);
  const documents = createDocumentClient(client);
  if (options.seedRoutingPolicy ?? true) {
    await new PolicyStore(documents, tableName, 'routing').save(
      DEMO_ROUTING_POLICY,
      undefined,
      new Date().toISOString(),
    );
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamodbEndpoint');
  process.env.ORDERS_TABLE_NAME = tableName;
  useLocalKms();
  process.env.CURSOR_SIGNING_KEY ??= randomBytes(32).toString('base64url');
  return tableName;
}

export async function countItems(tableName: string): Promise<number> {
  const { Count = 0 } = await localDynamoDbClient().send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true }));
  return Count;
}
