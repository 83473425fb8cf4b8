/**
 * Order timers as EventBridge Scheduler one-time schedules (docs/decisions/0005-hold-window-and-timers.md):
 * `at(...)` in UTC, no flexible window, deleted by Scheduler once run, in the stack's own schedule group,
 * named from the order and kind so that a retried create meets the first (ConflictException) instead of
 * making a second. The target is the stack's timer function; the input names the order and the kind,
 * nothing personal. The endpoint comes from the SDK's configuration (AWS_ENDPOINT_URL_SCHEDULER locally).
 */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { timerName, type DueTimer, type OrderTimer, type OrderTimerKey } from '../domain/order-timers.ts';
import { requiredEnv } from '../environment.ts';
import type { OrderTimers } from '../use-cases/ports.ts';

/** Where the stack puts the schedules and what they invoke, as it sets them on the functions that schedule. */
export interface SchedulerTimersSettings {
  groupName: string;
  targetArn: string;
  /** The role Scheduler assumes to invoke the target. */
  roleArn: string;
}

/** Scheduler's `at()` takes whole seconds: rounded up, so a timer never runs before it is due. */
export function atExpression(at: string): string {
  const seconds = Math.ceil(Date.parse(at) / 1000);
  return `at(${new Date(seconds * 1000).toISOString().slice(0, 19)})`;
}

export class SchedulerTimers implements OrderTimers {
  private readonly client: SchedulerClient;
  private readonly settings: SchedulerTimersSettings;

  constructor(settings: SchedulerTimersSettings, client: SchedulerClient = new SchedulerClient({})) {
    this.settings = settings;
    this.client = client;
  }

  static fromEnvironment(): SchedulerTimers {
    return new SchedulerTimers({
      groupName: requiredEnv('ORDER_TIMERS_GROUP'),
      targetArn: requiredEnv('ORDER_TIMERS_TARGET_ARN'),
      roleArn: requiredEnv('ORDER_TIMERS_ROLE_ARN'),
    });
  }

  async schedule(timer: OrderTimer): Promise<void> {
    const input: DueTimer = { orderId: timer.orderId, kind: timer.kind };
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: timerName(timer),
          GroupName: this.settings.groupName,
          ScheduleExpression: atExpression(timer.at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.settings.targetArn,
            RoleArn: this.settings.roleArn,
            Input: JSON.stringify(input),
            // A failed run is retried for an hour; after that the reconciler runs the timer (its backstop).
            RetryPolicy: { MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 10 },
          },
        }),
      );
    } catch (error) {
      // Created before (a retried event): the first schedule stands, and a timer's time never moves.
      if (error instanceof ConflictException) return;
      throw error;
    }
  }

  async cancel(timer: OrderTimerKey): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: timerName(timer), GroupName: this.settings.groupName }));
    } catch (error) {
      // Never made, or already run and deleted by Scheduler.
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
  }
}
