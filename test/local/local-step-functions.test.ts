/**
 * The local Step Functions engine's retry interval override: a state's retriers keep their errors and
 * attempts, only the wait before each retry is the override's, in Parallel branches too.
 */
import { describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../local/stepfunctions/local-step-functions.ts';
import type { StateMachineTopology } from '../../local/topology.ts';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Flaky';
/** A task retried 3 times after its first attempt with a 30 s interval, inside a Parallel branch. */
const FLAKY: StateMachineTopology = {
  logicalId: 'Flaky',
  arn: ARN,
  name: 'Flaky',
  type: 'EXPRESS',
  taskFunctions: { Call: 'FlakyFunction' },
  definition: {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        End: true,
        Branches: [
          {
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:000000000000:function:FlakyFunction',
                Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 30, BackoffRate: 2, MaxAttempts: 3 }],
                End: true,
              },
            },
          },
        ],
      },
    },
  },
};

describe('LocalStepFunctions', () => {
  it('waits retryIntervalMs before each retry and keeps the retrier\'s attempts', async () => {
    let attempts = 0;
    const engine = new LocalStepFunctions({
      stateMachines: [FLAKY],
      retryIntervalMs: 10,
      invoke: async () => {
        attempts += 1;
        throw Object.assign(new Error('carrier down'), { name: 'TransientError' });
      },
    });
    const { executionArn } = engine.startExecution(ARN, {});
    await engine.drain();
    expect(engine.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', error: 'TransientError' });
    // The first attempt and MaxAttempts retries, without waiting 30 + 60 + 120 s.
    expect(attempts).toBe(4);
  });
});
