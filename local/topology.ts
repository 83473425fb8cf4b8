/**
 * The topology the local cloud runs, as read from the synthesized template (`topology/`):
 * tables, functions (entry, environment), HTTP routes, the bus and its rules (with their API
 * destinations and connections), state machines, stream event source mappings and pipes.
 */
import type { EventSourceMappingSettings } from './dynamodb/stream-relay.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** A template fragment: CloudFormation JSON, read without a schema. */
export type Json = any;

export interface FunctionTopology {
  logicalId: string;
  /** Source file, from the `order-pipeline:entry` metadata the PipelineFunction construct writes. */
  entry: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** MemorySize: what Lambda bills duration at. */
  memoryMb: number;
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

/** An EventBridge Scheduler schedule invoking a function at a fixed rate. */
export interface ScheduleTopology {
  logicalId: string;
  name: string;
  /** The period of its `rate(n unit)` expression. */
  periodMs: number;
  functionLogicalId: string;
  /** The payload the function gets. */
  input: unknown;
  enabled: boolean;
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
  /** Names of the stack's EventBridge Scheduler schedule groups, where functions create one-time schedules. */
  scheduleGroups: string[];
}
