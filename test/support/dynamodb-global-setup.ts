/**
 * Starts one DynamoDB Local for the whole test run and creates the tables the
 * synthesized stack defines. Tests read the endpoint and table name with `inject`.
 */
import type { TestProject } from 'vitest/node';
import { synthesizeStack } from '../../local/cloud-assembly.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';
import { ensureTable, tableDefinitions } from '../../local/dynamodb/tables.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    ordersTableTemplateInput: string;
  }
}

let dynamodb: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  const [{ template }, local] = await Promise.all([Promise.resolve().then(() => synthesizeStack('test')), startDynamoDbLocal()]);
  dynamodb = local;
  const [orders] = tableDefinitions(template, () => 'orders-template');
  if (!orders) throw new Error('The stack defines no DynamoDB table');
  project.provide('dynamodbEndpoint', local.endpoint);
  project.provide('ordersTableTemplateInput', JSON.stringify(orders));
  await ensureTable(local.client, orders);
}

export async function teardown(): Promise<void> {
  await dynamodb?.stop();
}
