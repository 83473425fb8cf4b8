/**
 * Starts one DynamoDB Local for the whole test run and creates the tables the
 * synthesized stack defines, and a local KMS for the personal-data cipher. Tests read
 * the endpoints and table name with `inject`.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';
import { ensureTable, tableDefinitions } from '../../local/dynamodb/tables.ts';
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws-endpoint.ts';
import { LocalKms } from '../../local/kms/local-kms.ts';
import { testStack } from './test-cloud.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    kmsEndpoint: string;
    ordersTableTemplateInput: string;
  }
}

let dynamodb: DynamoDbLocal | undefined;
let kms: AwsEndpoint | undefined;

export async function setup(project: TestProject): Promise<void> {
  const [{ template }, local] = await Promise.all([testStack(), startDynamoDbLocal()]);
  dynamodb = local;
  kms = await startAwsEndpoint(new LocalKms().operations());
  project.provide('kmsEndpoint', kms.url);
  const [orders] = tableDefinitions(template, () => 'orders-template');
  if (!orders) throw new Error('The stack defines no DynamoDB table');
  project.provide('dynamodbEndpoint', local.endpoint);
  project.provide('ordersTableTemplateInput', JSON.stringify(orders));
  await ensureTable(local.client, orders);
}

export async function teardown(): Promise<void> {
  await kms?.stop();
  await dynamodb?.stop();
}
