/**
 * Tables as the synthesized template defines them, turned into CreateTable calls,
 * so the local tables have exactly the keys, indexes, stream and TTL that deploy.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

type CfnResource = { Type: string; Properties?: Record<string, any> };
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface TableDefinition {
  logicalId: string;
  input: CreateTableCommandInput;
  ttlAttribute?: string;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

/** Every DynamoDB table in the template; `name` picks the local table name for each logical id. */
export function tableDefinitions(template: CfnTemplate, name: (logicalId: string) => string): TableDefinition[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => TABLE_TYPES.has(resource.Type))
    .map(([logicalId, { Properties: p = {} }]) => {
      const streamView = p.StreamSpecification?.StreamViewType;
      const input: CreateTableCommandInput = {
        TableName: name(logicalId),
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: 'PAY_PER_REQUEST',
        ...(p.GlobalSecondaryIndexes?.length
          ? {
              GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((index: Record<string, any>) => ({
                IndexName: index.IndexName,
                KeySchema: index.KeySchema,
                Projection: index.Projection,
              })),
            }
          : {}),
        ...(p.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
        ...(streamView ? { StreamSpecification: { StreamEnabled: true, StreamViewType: streamView } } : {}),
      };
      const ttl = p.TimeToLiveSpecification;
      return { logicalId, input, ...(ttl?.Enabled ? { ttlAttribute: ttl.AttributeName } : {}) };
    });
}

/** Creates the table unless it exists (a persistent data directory keeps tables across restarts). */
export async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<'created' | 'existing'> {
  try {
    await client.send(new CreateTableCommand(table.input));
  } catch (error) {
    if ((error as Error).name === 'ResourceInUseException') return 'existing';
    throw error;
  }
  if (table.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table.input.TableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute },
      }),
    );
  }
  return 'created';
}

/** Deletes the tables (those already gone are fine): a cloud leaving a DynamoDB Local it shared with others. */
export async function deleteTables(client: DynamoDBClient, tableNames: Iterable<string>): Promise<void> {
  for (const TableName of tableNames) {
    try {
      await client.send(new DeleteTableCommand({ TableName }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
}
