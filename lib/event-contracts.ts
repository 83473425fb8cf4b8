import { NestedStack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import type { Construct } from 'constructs';

/** One event type's schema, as the registry stores it. */
export interface RegistrySchemaDefinition {
  /** The event's `detail-type`. */
  readonly detailType: string;
  readonly description: string;
  /** JSON Schema draft 4 of the whole EventBridge event (the registry's `JSONSchemaDraft4` type). */
  readonly schema: Record<string, unknown>;
}

/** Properties of an {@link EventContracts}. */
export interface EventContractsProps {
  readonly stage: string;
  /** `source` of the events the schemas describe; part of each schema's name. */
  readonly eventSource: string;
  /** One per detail-type, generated from the schemas the publisher checks every event against. */
  readonly schemas: readonly RegistrySchemaDefinition[];
}

/**
 * Publishes the order event schemas to an EventBridge schema registry, where subscribers find
 * them in the console and generate code bindings. The registry versions a schema on every
 * content change, so its history follows the repository's.
 *
 * A nested stack of its own: the schemas are a third of the stack's template (28 detail-types,
 * about 270 KB), which CloudFormation caps at 1 MB, and they reference nothing else in it.
 */
export class EventContracts extends NestedStack {
  public readonly registry: CfnRegistry;
  /** Schemas by detail-type. */
  public readonly schemas: ReadonlyMap<string, CfnSchema>;

  constructor(scope: Construct, id: string, props: EventContractsProps) {
    super(scope, id, { description: `Order event schemas (${props.stage})` });
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: `order-pipeline-${props.stage}`,
      description: `Schemas of the events on the order-pipeline-${props.stage} bus (source ${props.eventSource})`,
    });
    this.schemas = new Map(
      props.schemas.map(({ detailType, description, schema }) => {
        const cfnSchema = new CfnSchema(this, detailType, {
          registryName: this.registry.attrRegistryName,
          // `<source>@<detail-type>`: the name EventBridge schema discovery would give it.
          schemaName: `${props.eventSource}@${detailType}`,
          type: 'JSONSchemaDraft4',
          description,
          content: JSON.stringify(schema),
        });
        return [detailType, cfnSchema] as const;
      }),
    );
  }
}
