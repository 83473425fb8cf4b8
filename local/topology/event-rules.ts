/**
 * EventBridge as the template configures it: rules and their targets (workflows, functions, API
 * destinations with their connections, queues, other accounts' buses), and pipes from a queue to
 * an API destination.
 */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type ApiDestinationTopology, type Json, type PipeTopology, type RuleTargetTopology, type RuleTopology } from '../topology.ts';
import { Names, resourcesOf } from './names.ts';

/** Logical ids by ARN of what a target can point at. */
export interface TargetIndex {
  functionByArn: Map<string, string>;
  stateMachineByArn: Map<string, string>;
}

function readApiDestination(template: CfnTemplate, names: Names, logicalId: string | undefined): ApiDestinationTopology | undefined {
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
}

function readTarget(template: CfnTemplate, names: Names, index: TargetIndex, target: Json): RuleTargetTopology {
  const arn = String(names.resolve(target.Arn));
  const stateMachine = index.stateMachineByArn.get(arn);
  const fn = index.functionByArn.get(arn);
  const destination = readApiDestination(template, names, Names.target(target.Arn));
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
}

export function readRules(template: CfnTemplate, names: Names, index: TargetIndex): RuleTopology[] {
  return resourcesOf(template, 'AWS::Events::Rule').map(([logicalId, resource]): RuleTopology => {
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
      targets: (props.Targets ?? []).map((target: Json) => readTarget(template, names, index, target)),
    };
  });
}

export function readPipes(template: CfnTemplate, names: Names, functionByArn: Map<string, string>): PipeTopology[] {
  return resourcesOf(template, 'AWS::Pipes::Pipe').flatMap(([logicalId, resource]): PipeTopology[] => {
    const props = resource.Properties ?? {};
    const sourceQueueLogicalId = Names.target(props.Source);
    const target = readApiDestination(template, names, Names.target(props.Target));
    const enrichment = props.Enrichment ? functionByArn.get(String(names.resolve(props.Enrichment))) : undefined;
    if (!sourceQueueLogicalId || !target) return [];
    return [{ logicalId, sourceQueueLogicalId, ...(enrichment ? { enrichmentFunctionLogicalId: enrichment } : {}), target }];
  });
}
