/**
 * Runs the synthesized state machine definitions with aws-local-stepfunctions,
 * each Task state calling the same handler the deployed state machine calls, and
 * keeps every execution's history for the operator to look at.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { hopClock, type HopRecorder } from '../hop-recorder.ts';
import type { StateMachineTopology } from '../topology.ts';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  /** The execution event log as aws-local-stepfunctions reports it (state entered/exited, retries, failures). */
  history: unknown[];
}

export type TaskInvoker = (functionLogicalId: string, input: unknown) => Promise<unknown>;

export interface LocalStepFunctionsOptions {
  stateMachines: Iterable<StateMachineTopology>;
  invoke: TaskInvoker;
  onExecutionChange?: (execution: ExecutionRecord) => void;
  /** Executions kept for inspection; the oldest are forgotten first. */
  maxExecutions?: number;
  /** Told when each execution started and stopped (`npm run bench:latency`). */
  recorder?: HopRecorder;
  /**
   * Wait this long before each retry of a state with a `Retry` field, instead of what its IntervalSeconds,
   * BackoffRate and MaxDelaySeconds say; the retriers, their errors and attempts stay the definition's.
   * For tests that exhaust a retrier (a carrier refusing every request) without waiting out its backoff.
   */
  retryIntervalMs?: number;
}

/** Names of the states in a definition that have a `Retry` field, those in Parallel branches and Map processors too. */
function statesWithRetry(definition: unknown): string[] {
  const names: string[] = [];
  const visit = (machine: unknown) => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (Array.isArray(state.Retry) && state.Retry.length > 0) names.push(name);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
      visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(definition);
  return names;
}

interface Machine {
  topology: StateMachineTopology;
  engine: StateMachine;
  retryIntervalOverrides: Record<string, number>;
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly options: LocalStepFunctionsOptions;

  constructor(options: LocalStepFunctionsOptions) {
    this.options = options;
    for (const topology of options.stateMachines) {
      // Built once: construction validates the definition, which is the slow part.
      const retryIntervalMs = options.retryIntervalMs;
      const retryIntervalOverrides =
        retryIntervalMs === undefined ? {} : Object.fromEntries(statesWithRetry(topology.definition).map((name) => [name, retryIntervalMs]));
      this.machines.set(topology.arn, { topology, engine: new StateMachine(topology.definition), retryIntervalOverrides });
    }
  }

  stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  /** Starts an execution and returns at once, as StartExecution does; the run continues in the background. */
  startExecution(stateMachineArn: string, input: unknown, name: string = randomUUID()): ExecutionRecord {
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw Object.assign(new Error(`State machine ${stateMachineArn} does not exist`), { name: 'StateMachineDoesNotExist' });
    const record: ExecutionRecord = {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn,
      name,
      status: 'RUNNING',
      input,
      startDate: new Date().toISOString(),
      history: [],
    };
    const startedAt = this.options.recorder ? hopClock() : 0;
    this.remember(record);
    const run = this.run(machine, record).then(() =>
      this.options.recorder?.mark({ kind: 'execution', stateMachineArn, startedAt, stoppedAt: hopClock(), status: record.status }),
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return record;
  }

  describeExecution(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn);
  }

  listExecutions(): ExecutionRecord[] {
    return [...this.executions.values()].reverse();
  }

  /** Executions started and not yet ended. */
  runningCount(): number {
    return this.running.size;
  }

  /** Resolves when every execution started so far has ended. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async run(machine: Machine, record: ExecutionRecord): Promise<void> {
    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(machine.topology.taskFunctions).map(([stateName, functionLogicalId]) => [
        stateName,
        (input: unknown) => this.options.invoke(functionLogicalId, input),
      ]),
    );
    const execution = machine.engine.run(record.input as Parameters<StateMachine["run"]>[0], {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides: machine.retryIntervalOverrides },
      context: { Execution: { Id: record.executionArn, Name: record.name, Input: record.input, StartTime: record.startDate } },
    } as Parameters<StateMachine['run']>[1]);
    const collectHistory = (async () => {
      for await (const event of execution.eventLogs) record.history.push(event);
    })();
    try {
      record.output = await execution.result;
      record.status = 'SUCCEEDED';
    } catch (error) {
      const failure = error as Error & { cause?: unknown };
      record.status = 'FAILED';
      record.error = failure.name === 'ExecutionError' && failure.cause instanceof Error ? failure.cause.name : failure.name;
      record.cause = failure.cause instanceof Error ? failure.cause.message : failure.message;
    }
    await collectHistory.catch(() => undefined);
    record.stopDate = new Date().toISOString();
    this.options.onExecutionChange?.(record);
  }

  private remember(record: ExecutionRecord): void {
    this.executions.set(record.executionArn, record);
    const max = this.options.maxExecutions ?? 10_000;
    while (this.executions.size > max) this.executions.delete(this.executions.keys().next().value!);
    this.options.onExecutionChange?.(record);
  }
}
