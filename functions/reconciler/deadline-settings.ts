import { DEFAULT_DEADLINES, type DeadlineSettings } from '../domain/deadlines.ts';

/**
 * The reconciler's deadlines from its environment, which the stack sets from context
 * (`orderPipeline:orderDeadlineSeconds`, `orderPipeline:maxRedrives`): `ORDER_DEADLINE_SECONDS`
 * ("PLACED=120,STOCK_LOCKED=300,ROUTED=300", any subset) and `MAX_REDRIVES` over the defaults.
 */
export function deadlineSettingsFrom(environment: Record<string, string | undefined>): DeadlineSettings {
  const seconds = { ...DEFAULT_DEADLINES.seconds };
  for (const pair of (environment.ORDER_DEADLINE_SECONDS ?? '').split(',').filter(Boolean)) {
    const [status, value] = pair.split('=');
    if (!(status! in seconds) || !(Number(value) > 0)) throw new Error(`ORDER_DEADLINE_SECONDS: bad entry "${pair}"`);
    seconds[status as keyof typeof seconds] = Number(value);
  }
  const maxRedrives = Number(environment.MAX_REDRIVES ?? DEFAULT_DEADLINES.maxRedrives);
  if (!Number.isInteger(maxRedrives) || maxRedrives < 0) throw new Error('MAX_REDRIVES must be a whole number');
  return { seconds, maxRedrives };
}

