/** The local EventBridge bus: stopping while a delivery waits out its retry backoff. */
import { describe, expect, it } from 'vitest';
import { LocalEventBus, type DeadLetter } from '../../local/eventbridge/local-event-bus.ts';
import type { RuleTopology } from '../../local/topology.ts';

const RULE: RuleTopology = {
  logicalId: 'ToPartner',
  name: 'to-partner',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/orders/to-partner',
  busName: 'orders',
  patternText: '{"source":["test"]}',
  enabled: true,
  targets: [{ id: 'partner', kind: 'function', logicalId: 'Partner', arn: 'arn:aws:lambda:us-east-1:000000000000:function:Partner', maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 }],
};

describe('LocalEventBus', () => {
  it('stops at once while a delivery waits out a minute of backoff, and dead-letters it with its last error', async () => {
    let attempts = 0;
    let firstFailed!: () => void;
    const failed = new Promise<void>((resolve) => (firstFailed = resolve));
    const letters: DeadLetter[] = [];
    const bus = new LocalEventBus({
      rules: [RULE],
      deliver: async () => {
        attempts += 1;
        setImmediate(firstFailed);
        throw new Error('partner down');
      },
      onDeadLetter: (letter) => letters.push(letter),
      retryBaseDelayMs: 60_000,
    });
    bus.putEvents([{ EventBusName: 'orders', Source: 'test', DetailType: 'Tested', Detail: '{}' }]);
    await failed;
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 10_000)));
    const outcome = await Promise.race([bus.stop().then(() => 'stopped' as const), stuck]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
    expect(attempts).toBe(1);
    expect(letters).toEqual([expect.objectContaining({ ruleArn: RULE.arn, errorMessage: 'partner down' })]);
  });
});
