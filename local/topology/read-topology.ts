/**
 * Reads the synthesized template into the topology the local cloud runs. There is no second list
 * of resources to keep in sync: a route, rule or function added to the CDK app appears here by itself.
 */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { Topology } from '../topology.ts';
import { readPipes, readRules } from './event-rules.ts';
import { readFunctions } from './functions.ts';
import { readJwtAuthorizers, readRoutes } from './http-api.ts';
import { Names, resourcesOf } from './names.ts';
import { readQueues, readStreamMappings } from './queues-and-streams.ts';
import { readSchedules } from './schedules.ts';
import { readStateMachines } from './state-machines.ts';

export function readTopology(template: CfnTemplate, stackName: string): Topology {
  const names = new Names(template, stackName);
  const functions = readFunctions(template, names);
  const functionByArn = new Map([...functions.values()].map((fn) => [fn.arn, fn.logicalId]));
  const jwtAuthorizers = readJwtAuthorizers(template, names);
  const stateMachines = readStateMachines(template, names, functionByArn);
  const stateMachineByArn = new Map([...stateMachines.values()].map((sm) => [sm.arn, sm.logicalId]));
  const named = (type: string) => resourcesOf(template, type).map(([logicalId]) => ({ logicalId, name: names.physicalName(logicalId) }));
  return {
    stackName,
    tables: [...named('AWS::DynamoDB::Table'), ...named('AWS::DynamoDB::GlobalTable')],
    buses: named('AWS::Events::EventBus'),
    queues: readQueues(template, names),
    functions,
    routes: readRoutes(template, jwtAuthorizers),
    jwtAuthorizers,
    rules: readRules(template, names, { functionByArn, stateMachineByArn }),
    stateMachines,
    streamMappings: readStreamMappings(template),
    pipes: readPipes(template, names, functionByArn),
    schedules: readSchedules(template, names, functionByArn),
    scheduleGroups: resourcesOf(template, 'AWS::Scheduler::ScheduleGroup').map(([logicalId, resource]) =>
      String(resource.Properties?.Name ?? names.physicalName(logicalId)),
    ),
  };
}
