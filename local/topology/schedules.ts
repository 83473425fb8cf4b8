/**
 * EventBridge Scheduler schedules with a Lambda target: what the local scheduler runs. Only
 * `rate(...)` expressions are needed by the stack.
 */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { ScheduleTopology } from '../topology.ts';
import { resourcesOf, type Names } from './names.ts';

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** The period of a rate expression, e.g. `rate(1 minute)`; throws on what the local scheduler cannot run. */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (!match) throw new Error(`Schedule expression ${expression} is not run locally (only rate(n minutes|hours|days))`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function readSchedules(template: CfnTemplate, names: Names, functionByArn: ReadonlyMap<string, string>): ScheduleTopology[] {
  return resourcesOf(template, 'AWS::Scheduler::Schedule').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const targetArn = String(names.resolve(props.Target?.Arn));
    const functionLogicalId = functionByArn.get(targetArn);
    if (!functionLogicalId) throw new Error(`Schedule ${logicalId}: its target ${targetArn} is not a function of this stack`);
    return {
      logicalId,
      name: names.physicalName(logicalId),
      periodMs: ratePeriodMs(String(props.ScheduleExpression)),
      functionLogicalId,
      // What EventBridge Scheduler sends a Lambda target without Input: an empty object.
      input: props.Target?.Input === undefined ? {} : JSON.parse(String(names.resolve(props.Target.Input))),
      enabled: (props.State ?? 'ENABLED') === 'ENABLED',
    };
  });
}
