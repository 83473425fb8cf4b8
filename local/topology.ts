/**
 * Reads the synthesized template into the topology the local cloud runs: tables,
 * functions (entry, environment), HTTP routes, the bus and its rules (with their API
 * destinations and connections), state machines, stream event source mappings and pipes. There is no second list of resources to keep in
 * sync: a route, rule or function added to the CDK app appears here by itself.
 */
import type { EventSourceMappingSettings } from './dynamodb/stream-relay.ts';
import { readSchedules, type ScheduleTopology } from './scheduler/schedules.ts';
import type { CfnTemplate } from './dynamodb/tables.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

type Json = any;

export interface FunctionTopology {
  logicalId: string;
  /** Source file, from the `order-pipeline:entry` metadata the PipelineFunction construct writes. */
  entry: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  arn: string;
}

/** A route's JWT authorization: its authorizer's configuration and the route's scopes. */
export interface JwtAuthorization {
  authorizerLogicalId: string;
  issuer: string;
  audience: string[];
  /** Where the token is, e.g. `$request.header.Authorization`. */
  identitySource: string[];
  /** The token needs at least one of these; none means any valid token. */
  scopes: string[];
}

export interface RouteTopology {
  routeKey: string;
  functionLogicalId: string;
  /** Absent for a route without authorization (`NONE`). */
  authorization?: JwtAuthorization;
}

export interface JwtAuthorizerTopology {
  logicalId: string;
  issuer: string;
  audience: string[];
  identitySource: string[];
}

/** An EventBridge connection: how calls to its API destinations authenticate. */
export interface ConnectionTopology {
  logicalId: string;
  authorizationType: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  /**
   * The template's AuthParameters, intrinsics resolved; secret values are still Secrets Manager
   * dynamic references (`{{resolve:secretsmanager:...}}`), resolved locally at call time.
   */
  authParameters: Json;
}

/** An EventBridge API destination: an HTTP endpoint called with its connection's credentials. */
export interface ApiDestinationTopology {
  logicalId: string;
  endpoint: string;
  httpMethod: string;
  connection: ConnectionTopology;
}

export interface RuleTargetTopology {
  id: string;
  /**
   * `eventBus`: another account's bus (recorded locally); `queue`: an SQS queue, run locally only
   * as the source of a pipe.
   */
  kind: 'stateMachine' | 'function' | 'apiDestination' | 'eventBus' | 'queue' | 'unsupported';
  logicalId?: string;
  arn: string;
  apiDestination?: ApiDestinationTopology;
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  deadLetterQueueLogicalId?: string;
  input?: string;
  inputPath?: string;
}

export interface RuleTopology {
  logicalId: string;
  /** `Name` in the template, else the logical id: the last part of the rule's ARN. */
  name: string;
  arn: string;
  busName: string;
  patternText: string;
  enabled: boolean;
  targets: RuleTargetTopology[];
}

export interface StateMachineTopology {
  logicalId: string;
  arn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: Json;
  /** Task state name to the function it calls. */
  taskFunctions: Record<string, string>;
}

export interface StreamMappingTopology extends EventSourceMappingSettings {
  logicalId: string;
  functionLogicalId: string;
  tableLogicalId: string;
  deadLetterQueueLogicalId?: string;
}

/** An EventBridge Pipe from an SQS queue, with an optional enrichment function, to an API destination. */
export interface PipeTopology {
  logicalId: string;
  sourceQueueLogicalId: string;
  enrichmentFunctionLogicalId?: string;
  target: ApiDestinationTopology;
}

export interface QueueTopology {
  logicalId: string;
  name: string;
  /** The queue's redrive policy: where a message goes after `maxReceiveCount` receipts. */
  redrive?: { deadLetterQueueLogicalId: string; maxReceiveCount: number };
}

export interface Topology {
  stackName: string;
  tables: Array<{ logicalId: string; name: string }>;
  buses: Array<{ logicalId: string; name: string }>;
  queues: QueueTopology[];
  functions: Map<string, FunctionTopology>;
  routes: RouteTopology[];
  jwtAuthorizers: JwtAuthorizerTopology[];
  rules: RuleTopology[];
  stateMachines: Map<string, StateMachineTopology>;
  streamMappings: StreamMappingTopology[];
  pipes: PipeTopology[];
  schedules: ScheduleTopology[];
}

const ENTRY_METADATA = 'order-pipeline:entry';

function resourcesOf(template: CfnTemplate, type: string): Array<[string, Json]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Physical names and ARNs of local resources, and a resolver for the intrinsics that reference them. */
class Names {
  private readonly template: CfnTemplate;
  private readonly stackName: string;

  constructor(template: CfnTemplate, stackName: string) {
    this.template = template;
    this.stackName = stackName;
  }

  physicalName(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    const props = resource?.Properties ?? {};
    const explicit = props.TableName ?? props.Name ?? props.QueueName ?? props.StateMachineName ?? props.FunctionName;
    return typeof explicit === 'string' ? explicit : `${this.stackName}-${logicalId}`;
  }

  arn(logicalId: string): string {
    const type = this.template.Resources[logicalId]?.Type;
    const name = this.physicalName(logicalId);
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
      default:
        return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    }
  }

  /** Ref and GetAtt follow CloudFormation's return values for the resource types we run. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const id = value.Ref as string;
      if (id === 'AWS::Region') return LOCAL_REGION;
      if (id === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (id === 'AWS::Partition') return 'aws';
      if (id === 'AWS::StackName') return this.stackName;
      if (id === 'AWS::URLSuffix') return 'amazonaws.com';
      const type = this.template.Resources[id]?.Type;
      return type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SQS::Queue' ? this.arn(id) : this.physicalName(id);
    }
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      if (attribute === 'StreamArn') return `${this.arn(id)}/stream/local`;
      if (attribute === 'Name' || attribute === 'QueueName') return this.physicalName(id);
      return this.arn(id);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((part) => this.resolve(part)).join(separator);
    }
    if ('Fn::Sub' in value) {
      const [text, variables = {}] = (Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub']]) as [string, Json];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in variables) return String(this.resolve(variables[name]));
        const [id, attribute] = name.split('.');
        return String(this.resolve(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }));
      });
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
  }

  /** The logical id an intrinsic points at, if it is a Ref or GetAtt. */
  static target(value: Json): string | undefined {
    if (value && typeof value === 'object') {
      if (typeof value.Ref === 'string') return value.Ref;
      if (Array.isArray(value['Fn::GetAtt'])) return value['Fn::GetAtt'][0];
    }
    return undefined;
  }
}

function integrationFunction(template: CfnTemplate, target: Json): string | undefined {
  const join = target?.['Fn::Join']?.[1] as Json[] | undefined;
  const integrationId = join ? join.map((part) => Names.target(part)).find(Boolean) : undefined;
  const integration = integrationId ? template.Resources[integrationId] : undefined;
  return Names.target(integration?.Properties?.IntegrationUri);
}

export function readTopology(template: CfnTemplate, stackName: string): Topology {
  const names = new Names(template, stackName);

  const functions = new Map<string, FunctionTopology>();
  for (const [logicalId, resource] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') continue;
    const handler = String(resource.Properties?.Handler ?? 'index.handler');
    functions.set(logicalId, {
      logicalId,
      entry,
      exportName: handler.slice(handler.lastIndexOf('.') + 1),
      environment: names.resolve(resource.Properties?.Environment?.Variables ?? {}),
      timeoutSeconds: Number(resource.Properties?.Timeout ?? 3),
      arn: names.arn(logicalId),
    });
  }
  const functionByArn = new Map([...functions.values()].map((fn) => [fn.arn, fn.logicalId]));

  const jwtAuthorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').flatMap(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    if (props.AuthorizerType !== 'JWT') return [];
    return [
      {
        logicalId,
        issuer: String(names.resolve(props.JwtConfiguration?.Issuer)),
        audience: (names.resolve(props.JwtConfiguration?.Audience ?? []) as unknown[]).map(String),
        identitySource: (props.IdentitySource ?? ['$request.header.Authorization']).map(String),
      },
    ];
  });

  const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').flatMap(([, resource]): RouteTopology[] => {
    const props = resource.Properties ?? {};
    const routeKey = String(props.RouteKey);
    const functionLogicalId = integrationFunction(template, props.Target);
    if (!functionLogicalId) return [];
    const type = props.AuthorizationType ?? 'NONE';
    if (type === 'NONE') return [{ routeKey, functionLogicalId }];
    const authorizer = jwtAuthorizers.find((candidate) => candidate.logicalId === Names.target(props.AuthorizerId));
    // Serving a route whose authorization is not enforced here would open it: refuse instead.
    if (type !== 'JWT' || !authorizer) throw new Error(`Route ${routeKey}: ${type} authorization is not run locally`);
    const { logicalId: authorizerLogicalId, ...config } = authorizer;
    return [{ routeKey, functionLogicalId, authorization: { authorizerLogicalId, ...config, scopes: (props.AuthorizationScopes ?? []).map(String) } }];
  });

  const stateMachines = new Map<string, StateMachineTopology>();
  for (const [logicalId, resource] of resourcesOf(template, 'AWS::StepFunctions::StateMachine')) {
    const props = resource.Properties ?? {};
    const substitutions: Record<string, string> = names.resolve(props.DefinitionSubstitutions ?? {});
    const text = String(names.resolve(props.DefinitionString)).replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in substitutions ? String(substitutions[key]) : match,
    );
    const definition = JSON.parse(text);
    const taskFunctions: Record<string, string> = {};
    const collect = (states: Record<string, Json>) => {
      for (const [stateName, state] of Object.entries(states)) {
        if (state.Type === 'Task') {
          const arn = String(state.Parameters?.FunctionName ?? state.Resource);
          const fn = functionByArn.get(arn.replace(/:\$LATEST$/, ''));
          if (fn) taskFunctions[stateName] = fn;
        }
        for (const branch of state.Branches ?? []) collect(branch.States);
        const iterator = state.ItemProcessor ?? state.Iterator;
        if (iterator) collect(iterator.States);
      }
    };
    collect(definition.States);
    stateMachines.set(logicalId, {
      logicalId,
      arn: names.arn(logicalId),
      name: names.physicalName(logicalId),
      type: props.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
      taskFunctions,
    });
  }
  const stateMachineByArn = new Map([...stateMachines.values()].map((sm) => [sm.arn, sm.logicalId]));

  const apiDestination = (logicalId: string | undefined): ApiDestinationTopology | undefined => {
    const resource = logicalId ? template.Resources[logicalId] : undefined;
    if (!logicalId || resource?.Type !== 'AWS::Events::ApiDestination') return undefined;
    const props = resource.Properties ?? {};
    const connectionId = Names.target(props.ConnectionArn)!;
    const connection = template.Resources[connectionId]?.Properties ?? {};
    return {
      logicalId,
      endpoint: String(names.resolve(props.InvocationEndpoint)),
      httpMethod: String(props.HttpMethod),
      connection: {
        logicalId: connectionId,
        authorizationType: connection.AuthorizationType,
        authParameters: names.resolve(connection.AuthParameters ?? {}),
      },
    };
  };

  const rules = resourcesOf(template, 'AWS::Events::Rule').map(([logicalId, resource]): RuleTopology => {
    const props = resource.Properties ?? {};
    const busName = props.EventBusName ? String(names.resolve(props.EventBusName)) : 'default';
    const name = typeof props.Name === 'string' ? props.Name : logicalId;
    return {
      logicalId,
      name,
      arn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${busName}/${name}`,
      busName,
      patternText: typeof props.EventPattern === 'string' ? props.EventPattern : JSON.stringify(names.resolve(props.EventPattern)),
      enabled: props.State !== 'DISABLED',
      targets: (props.Targets ?? []).map((target: Json): RuleTargetTopology => {
        const arn = String(names.resolve(target.Arn));
        const stateMachine = stateMachineByArn.get(arn);
        const fn = functionByArn.get(arn);
        const destination = apiDestination(Names.target(target.Arn));
        const queue = template.Resources[Names.target(target.Arn) ?? '']?.Type === 'AWS::SQS::Queue' ? Names.target(target.Arn) : undefined;
        const kind = stateMachine
          ? 'stateMachine'
          : fn
            ? 'function'
            : destination
              ? 'apiDestination'
              : queue
                ? 'queue'
                : arn.includes(':event-bus/')
                  ? 'eventBus'
                  : 'unsupported';
        return {
          id: String(target.Id),
          kind,
          ...(stateMachine ?? fn ?? queue ? { logicalId: stateMachine ?? fn ?? queue } : {}),
          ...(destination ? { logicalId: destination.logicalId, apiDestination: destination } : {}),
          arn,
          // EventBridge's defaults when a target sets no retry policy.
          maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? 185,
          maximumEventAgeInSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
          ...(target.DeadLetterConfig ? { deadLetterQueueLogicalId: Names.target(target.DeadLetterConfig.Arn) } : {}),
          ...(target.Input ? { input: String(target.Input) } : {}),
          ...(target.InputPath ? { inputPath: String(target.InputPath) } : {}),
        };
      }),
    };
  });

  const streamMappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').flatMap(
    ([logicalId, resource]): StreamMappingTopology[] => {
      const props = resource.Properties ?? {};
      const tableLogicalId = Names.target(props.EventSourceArn);
      const functionLogicalId = Names.target(props.FunctionName);
      if (!tableLogicalId || !functionLogicalId || !template.Resources[tableLogicalId]?.Type.startsWith('AWS::DynamoDB::')) return [];
      return [
        {
          logicalId,
          functionLogicalId,
          tableLogicalId,
          batchSize: Number(props.BatchSize ?? 100),
          startingPosition: props.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
          filterPatterns: (props.FilterCriteria?.Filters ?? []).map((filter: Json) => String(filter.Pattern)),
          reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
          bisectBatchOnFunctionError: Boolean(props.BisectBatchOnFunctionError),
          maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
          maximumRecordAgeInSeconds: Number(props.MaximumRecordAgeInSeconds ?? -1),
          ...(props.DestinationConfig?.OnFailure
            ? { deadLetterQueueLogicalId: Names.target(props.DestinationConfig.OnFailure.Destination) }
            : {}),
        },
      ];
    },
  );

  const pipes = resourcesOf(template, 'AWS::Pipes::Pipe').flatMap(([logicalId, resource]): PipeTopology[] => {
    const props = resource.Properties ?? {};
    const sourceQueueLogicalId = Names.target(props.Source);
    const target = apiDestination(Names.target(props.Target));
    const enrichment = props.Enrichment ? functionByArn.get(String(names.resolve(props.Enrichment))) : undefined;
    if (!sourceQueueLogicalId || !target) return [];
    return [{ logicalId, sourceQueueLogicalId, ...(enrichment ? { enrichmentFunctionLogicalId: enrichment } : {}), target }];
  });

  const queues = resourcesOf(template, 'AWS::SQS::Queue').map(([logicalId, resource]): QueueTopology => {
    const redrive = resource.Properties?.RedrivePolicy;
    return {
      logicalId,
      name: names.physicalName(logicalId),
      ...(redrive
        ? { redrive: { deadLetterQueueLogicalId: Names.target(redrive.deadLetterTargetArn)!, maxReceiveCount: Number(redrive.maxReceiveCount) } }
        : {}),
    };
  });

  const named = (type: string) =>
    resourcesOf(template, type).map(([logicalId]) => ({ logicalId, name: names.physicalName(logicalId) }));
  return {
    stackName,
    tables: [...named('AWS::DynamoDB::Table'), ...named('AWS::DynamoDB::GlobalTable')],
    buses: named('AWS::Events::EventBus'),
    queues,
    functions,
    routes,
    jwtAuthorizers,
    rules,
    stateMachines,
    streamMappings,
    pipes,
    schedules: readSchedules(template.Resources, (arn) => functionByArn.get(arn), (value) => names.resolve(value), (id) => names.physicalName(id)),
  };
}
