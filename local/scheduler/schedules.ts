/**
 * EventBridge Scheduler schedules with a Lambda target, read from the synthesized template:
 * what the local scheduler runs. Only `rate(...)` expressions are needed by the stack.
 */
export interface ScheduleTopology {
  logicalId: string;
  name: string;
  /** The period of a `rate(n unit)` expression. */
  periodMs: number;
  functionLogicalId: string;
  /** The payload the target gets: the schedule's Input, or `{}` as EventBridge Scheduler sends without one. */
  input: unknown;
  enabled: boolean;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** The period of a rate expression, e.g. `rate(1 minute)`; throws on what the local scheduler cannot run. */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (!match) throw new Error(`Schedule expression ${expression} is not run locally (only rate(n minutes|hours|days))`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

type Json = any;

export function readSchedules(
  resources: Record<string, Json>,
  functionByArn: (arn: string) => string | undefined,
  resolve: (value: Json) => Json,
  physicalName: (logicalId: string) => string,
): ScheduleTopology[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Scheduler::Schedule')
    .map(([logicalId, resource]) => {
      const props = resource.Properties ?? {};
      const targetArn = String(resolve(props.Target?.Arn));
      const functionLogicalId = functionByArn(targetArn);
      if (!functionLogicalId) throw new Error(`Schedule ${logicalId}: its target ${targetArn} is not a function of this stack`);
      return {
        logicalId,
        name: physicalName(logicalId),
        periodMs: ratePeriodMs(String(props.ScheduleExpression)),
        functionLogicalId,
        input: props.Target?.Input === undefined ? {} : JSON.parse(String(resolve(props.Target.Input))),
        enabled: (props.State ?? 'ENABLED') === 'ENABLED',
      };
    });
}
