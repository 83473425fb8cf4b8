/**
 * The real fulfilment definition (`state-machines/fulfilment.asl.json`) run in the local
 * interpreter `aws-local-stepfunctions`, with every Task state replaced by a recorded stub.
 *
 * Checks the saga's control flow: the forward order, which errors are retried and how often,
 * the exact compensation sequence after a failure at each step, how the execution ends, and
 * that only the order id travels through the workflow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { NoRoute, OrderCancelled, OutOfStock, TransientError } from '../../functions/domain/errors.ts';

type LocalHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type Json = Parameters<LocalHandler>[0];
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const FORWARD = ['LockStock', 'RouteOrder', 'RequestShipment'] as const;
/** In the order the chain runs them. */
const COMPENSATIONS = ['CancelShipment', 'ReleaseAllocation', 'ReleaseStock', 'CloseOrder'] as const;
const TASKS = [...FORWARD, ...COMPENSATIONS] as const;
type ForwardStep = (typeof FORWARD)[number];
type CompensationStep = (typeof COMPENSATIONS)[number];
type TaskName = (typeof TASKS)[number];

/** Each forward step's own undo: compensation starts there and runs to the end of the chain. */
const UNDO_OF: Record<ForwardStep, CompensationStep> = {
  LockStock: 'ReleaseStock',
  RouteOrder: 'ReleaseAllocation',
  RequestShipment: 'CancelShipment',
};
const compensationAfter = (step: ForwardStep): TaskName[] => COMPENSATIONS.slice(COMPENSATIONS.indexOf(UNDO_OF[step]));
const stepsBefore = (step: ForwardStep): TaskName[] => FORWARD.slice(0, FORWARD.indexOf(step));

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

// --- the definition, as CDK would deploy it -------------------------------------------------

const DEFINITION_URL = new URL('../../state-machines/fulfilment.asl.json', import.meta.url);
const source = readFileSync(DEFINITION_URL, 'utf8');
const lambdaArn = (step: string) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`;
const substituted = source.replace(/\$\{(\w+)FunctionArn\}/g, (_, step: string) => lambdaArn(step));
/** Untouched copy for reading retriers (the validator adds `QueryLanguage` to the states it is given). */
const definition = JSON.parse(substituted) as StateMachineDefinition;
const machine = new StateMachine(structuredClone(definition), { validationOptions: { checkArn: true, checkPaths: true } });

/** `MaxAttempts` of the first retrier of `state` that matches `error` (what Step Functions would use). */
function maxAttempts(state: TaskName, error: string): number {
  const retriers = (definition.States[state] as { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }).Retry ?? [];
  const retrier = retriers.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
  if (!retrier) throw new Error(`${state} has no retrier for ${error}`);
  return retrier.MaxAttempts ?? 3;
}

// --- one execution with stubbed tasks ---------------------------------------------------------

const ORDER_ID = '01JAXZ6M3Q8T9V2W4Y5Z7B8C9D';

function orderPlaced(detail: Record<string, Json> = {}): Json {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'OrderPlaced',
    source: 'order-pipeline',
    account: '123456789012',
    time: '2026-11-02T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { orderId: ORDER_ID, ...detail },
  };
}

type Step = (input: { orderId: string } & Record<string, Json>, attempt: number) => Json | Promise<Json>;
type Script = Partial<Record<TaskName, Step>>;

/** What the step handlers return when a test does not script otherwise. */
const DEFAULTS: Record<TaskName, Step> = {
  LockStock: ({ orderId }) => ({ orderId, status: 'STOCK_LOCKED' }),
  RouteOrder: ({ orderId }) => ({ orderId, status: 'ROUTED', warehouseId: 'W1', carrier: 'sandbox', serviceLevel: 'STANDARD' }),
  RequestShipment: ({ orderId }) => ({ orderId, status: 'SHIPMENT_REQUESTED', shipmentId: 'SHP-1' }),
  CancelShipment: ({ orderId }) => ({ orderId, status: 'ROUTED' }),
  ReleaseAllocation: ({ orderId }) => ({ orderId, status: 'STOCK_LOCKED' }),
  ReleaseStock: ({ orderId }) => ({ orderId, status: 'PLACED' }),
  CloseOrder: ({ orderId }) => ({ orderId, status: 'REJECTED' }),
};

/** A step that throws `error()` on every attempt. */
const alwaysThrows =
  (error: () => Error): Step =>
  () => {
    throw error();
  };
/** A step that throws on its first `failures` attempts, then behaves as the default. */
const throwsFirst =
  (failures: number, error: () => Error, state: TaskName): Step =>
  (input, attempt) => {
    if (attempt <= failures) throw error();
    return DEFAULTS[state](input, attempt);
  };
const closesAs =
  (status: string): Step =>
  ({ orderId }) => ({ orderId, status });
const namedError = (name: string, message = `${name} (simulated)`) => Object.assign(new Error(message), { name });

interface Outcome {
  /** Every task invocation, in order, with the input the task received. */
  calls: { state: TaskName; input: Json }[];
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  /** `Error` of the execution failure (the Fail state's `Error`). */
  error?: string;
  cause?: unknown;
  thrown?: unknown;
  /** Names of the states entered, in order. */
  path: string[];
  events: EventLog[];
}

async function collect(events: AsyncGenerator<EventLog>): Promise<EventLog[]> {
  const all: EventLog[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function execute(input: Json, script: Script = {}): Promise<Outcome> {
  const calls: Outcome['calls'] = [];
  const attempts = new Map<TaskName, number>();
  const taskResourceLocalHandlers = Object.fromEntries(
    TASKS.map((state): [string, LocalHandler] => [
      state,
      async (taskInput) => {
        calls.push({ state, input: structuredClone(taskInput) });
        const attempt = (attempts.get(state) ?? 0) + 1;
        attempts.set(state, attempt);
        return (script[state] ?? DEFAULTS[state])(taskInput as { orderId: string }, attempt);
      },
    ]),
  );
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides: Object.fromEntries(TASKS.map((state) => [state, 0])) },
  });
  const eventsDone = collect(execution.eventLogs);
  let output: Json | undefined;
  let thrown: unknown;
  try {
    output = await execution.result;
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    thrown = error;
  }
  const events = await eventsDone;
  const path = events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
  const failed = events.find((e) => e.type === 'ExecutionFailed');
  if (failed) return { calls, status: 'FAILED', error: failed.Error, cause: failed.Cause, thrown, path, events };
  return { calls, status: 'SUCCEEDED', output, path, events };
}

const statesCalled = (outcome: Outcome) => outcome.calls.map((c) => c.state);
const callsTo = (outcome: Outcome, state: TaskName) => outcome.calls.filter((c) => c.state === state);

/** The execution failed through the Fail state `name`, seen both as the thrown error and in the event log. */
function expectFailedWith(outcome: Outcome, name: string): void {
  expect(outcome).toMatchObject({ status: 'FAILED', error: name });
  expect(outcome.thrown).toBeInstanceOf(ExecutionError);
  expect(((outcome.thrown as ExecutionError).cause as Error).name).toBe(name);
  expect(outcome.path.at(-1)).toBe(name);
}

function expectSucceededAt(outcome: Outcome, endState: string): void {
  expect(outcome.status).toBe('SUCCEEDED');
  expect(outcome.thrown).toBeUndefined();
  expect(outcome.path.at(-1)).toBe(endState);
  expect(outcome.output).toMatchObject({ orderId: ORDER_ID });
}

// --- tests -----------------------------------------------------------------------------------

describe('fulfilment definition', () => {
  it('has one Lambda ARN placeholder per task, each Task invoking the function of its own name', () => {
    const placeholders = [...new Set([...source.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    expect(placeholders).toEqual(TASKS.map((t) => `${t}FunctionArn`).sort());
    const raw = JSON.parse(source) as StateMachineDefinition;
    const tasks = Object.entries(raw.States).filter(([, s]) => s.Type === 'Task');
    expect(Object.fromEntries(tasks.map(([name, s]) => [name, (s as { Resource: string }).Resource]))).toEqual(
      Object.fromEntries(TASKS.map((t) => [t, `\${${t}FunctionArn}`])),
    );
  });
});

describe('happy path', () => {
  it('locks, routes and requests the shipment once each, with only the order id, and succeeds', async () => {
    const outcome = await execute(orderPlaced());

    expect(outcome.calls).toEqual(FORWARD.map((state) => ({ state, input: { orderId: ORDER_ID } })));
    expectSucceededAt(outcome, 'ShipmentRequested');
    expect(outcome.path).toEqual(['ReadOrderPlaced', ...FORWARD, 'ShipmentRequested']);
  });
});

const BUSINESS_FAILURES = [
  { step: 'LockStock', error: () => new OutOfStock(['SKU-1']), name: 'OutOfStock' },
  { step: 'RouteOrder', error: () => new NoRoute('No warehouse can fill the order'), name: 'NoRoute' },
  { step: 'RequestShipment', error: () => new OrderCancelled('The order was cancelled'), name: 'OrderCancelled' },
] as const satisfies readonly { step: ForwardStep; error: () => Error; name: string }[];

describe.each(BUSINESS_FAILURES)('business failure $name at $step', ({ step, error, name }) => {
  const failing: Script = { [step]: alwaysThrows(error) };

  it('is not retried and undoes, in order, from the failed step own undo to CloseOrder', async () => {
    const outcome = await execute(orderPlaced(), failing);

    expect(callsTo(outcome, step)).toHaveLength(1);
    expect(statesCalled(outcome)).toEqual([...stepsBefore(step), step, ...compensationAfter(step)]);
    expect(outcome.path).toContain(`${step}Failed`);
  });

  it('gives the undo tasks only the order id and CloseOrder the failed step and error', async () => {
    const outcome = await execute(orderPlaced(), failing);

    const compensation = outcome.calls.slice(stepsBefore(step).length + 1);
    for (const call of compensation.slice(0, -1)) expect(call.input).toEqual({ orderId: ORDER_ID });
    expect(compensation.at(-1)).toEqual({
      state: 'CloseOrder',
      input: { orderId: ORDER_ID, failedStep: step, error: { Error: name, Cause: expect.any(String) } },
    });
  });

  it.each(['REJECTED', 'CANCELLED'])('succeeds (Compensated) when CloseOrder closes the order as %s', async (status) => {
    const outcome = await execute(orderPlaced(), { ...failing, CloseOrder: closesAs(status) });

    expectSucceededAt(outcome, 'Compensated');
    expect(outcome.output).toMatchObject({ orderId: ORDER_ID, failedStep: step, error: { Error: name }, close: { status } });
  });

  it('fails with FulfilmentFailed when CloseOrder closes the order as FAILED', async () => {
    const outcome = await execute(orderPlaced(), { ...failing, CloseOrder: closesAs('FAILED') });

    expectFailedWith(outcome, 'FulfilmentFailed');
    expect(statesCalled(outcome)).toEqual([...stepsBefore(step), step, ...compensationAfter(step)]);
  });
});

describe.each(FORWARD)('transient failure at %s', (step) => {
  it('is retried and the run completes when the 2nd attempt succeeds', async () => {
    const outcome = await execute(orderPlaced(), { [step]: throwsFirst(1, () => new TransientError('write conflict'), step) });

    expect(statesCalled(outcome)).toEqual(FORWARD.flatMap((s) => (s === step ? [s, s] : [s])));
    for (const call of outcome.calls) expect(call.input).toEqual({ orderId: ORDER_ID });
    expectSucceededAt(outcome, 'ShipmentRequested');
  });

  it.each(LAMBDA_SERVICE_ERRORS)('is retried for %s', async (error) => {
    const outcome = await execute(orderPlaced(), { [step]: throwsFirst(1, () => namedError(error), step) });

    expect(callsTo(outcome, step)).toHaveLength(2);
    expectSucceededAt(outcome, 'ShipmentRequested');
  });

  it('that keeps failing is attempted 1 + MaxAttempts times, then compensated', async () => {
    const attempts = 1 + maxAttempts(step, 'TransientError');
    expect(attempts).toBeGreaterThan(1);

    const outcome = await execute(orderPlaced(), {
      [step]: alwaysThrows(() => new TransientError('throttled')),
      CloseOrder: closesAs('FAILED'),
    });

    expect(statesCalled(outcome)).toEqual([...stepsBefore(step), ...Array<TaskName>(attempts).fill(step), ...compensationAfter(step)]);
    expect(callsTo(outcome, 'CloseOrder')[0]?.input).toEqual({
      orderId: ORDER_ID,
      failedStep: step,
      error: { Error: 'TransientError', Cause: expect.any(String) },
    });
    expectFailedWith(outcome, 'FulfilmentFailed');
  });

  it('an unexpected error (TypeError) is not retried and goes straight to compensation', async () => {
    const outcome = await execute(orderPlaced(), { [step]: alwaysThrows(() => new TypeError('bug')) });

    expect(statesCalled(outcome)).toEqual([...stepsBefore(step), step, ...compensationAfter(step)]);
    expect(callsTo(outcome, 'CloseOrder')[0]?.input).toMatchObject({ failedStep: step, error: { Error: 'TypeError' } });
  });
});

describe.each(COMPENSATIONS)('compensation step %s', (failingStep) => {
  // A failure at the last forward step runs the whole compensation chain.
  const chain = compensationAfter('RequestShipment');
  const before: TaskName[] = [...FORWARD, ...chain.slice(0, chain.indexOf(failingStep))];
  const shipmentCancelled: Script = { RequestShipment: alwaysThrows(() => new OrderCancelled('The order was cancelled')) };

  it('that keeps failing ends in CompensationFailed after its retries, and later steps are not called', async () => {
    const attempts = 1 + maxAttempts(failingStep, 'ServiceUnavailable');
    expect(attempts).toBeGreaterThan(1);

    const outcome = await execute(orderPlaced(), {
      ...shipmentCancelled,
      [failingStep]: alwaysThrows(() => namedError('ServiceUnavailable')),
    });

    expect(statesCalled(outcome)).toEqual([...before, ...Array<TaskName>(attempts).fill(failingStep)]);
    expectFailedWith(outcome, 'CompensationFailed');
  });

  it('that fails once is retried and the chain goes on to Compensated', async () => {
    const outcome = await execute(orderPlaced(), {
      ...shipmentCancelled,
      [failingStep]: throwsFirst(1, () => new TransientError('write conflict'), failingStep),
    });

    expect(statesCalled(outcome)).toEqual(['LockStock', 'RouteOrder', 'RequestShipment', ...chain.flatMap((s) => (s === failingStep ? [s, s] : [s]))]);
    expectSucceededAt(outcome, 'Compensated');
  });
});

describe('ReadOrderPlaced', () => {
  // Personal and order data an OrderPlaced event carries; none of it may reach a task or a state's input.
  const SENTINELS = ['Nowhere Street 1', '+44 ***** **4321', 'Springfield', 'SKU-SECRET', 'web-123'];
  const event = orderPlaced({
    shipTo: { street: SENTINELS[0], phone: SENTINELS[1], city: SENTINELS[2], country: 'GB', region: 'ENG' },
    lines: [{ sku: SENTINELS[3], quantity: 1, unitPrice: 999 }],
    channel: 'web',
    channelOrderId: SENTINELS[4],
  });

  it('passes only the order id on', async () => {
    const outcome = await execute(event);

    const exited = outcome.events.find((e) => e.type === 'StateExited' && e.state.name === 'ReadOrderPlaced');
    expect(exited?.type === 'StateExited' ? exited.state.output : undefined).toEqual({ orderId: ORDER_ID });
    expectSucceededAt(outcome, 'ShipmentRequested');
  });

  it.each([
    ['the happy path', {}],
    ['a failure at RequestShipment (all seven tasks run)', { RequestShipment: alwaysThrows(() => new OrderCancelled('cancelled')) }],
  ] as [string, Script][])('keeps every other field of the event out of every task input on %s', async (_, script) => {
    const outcome = await execute(event, script);

    expect(outcome.calls.length).toBeGreaterThanOrEqual(3);
    for (const { input } of outcome.calls) {
      expect(input).toHaveProperty('orderId', ORDER_ID);
      for (const key of Object.keys(input as object)) expect(['orderId', 'failedStep', 'error']).toContain(key);
      for (const sentinel of SENTINELS) expect(JSON.stringify(input)).not.toContain(sentinel);
    }
    // Nor does it reach any later state's input (what execution logs record).
    const laterInputs = outcome.events.filter((e) => e.type === 'StateEntered' && e.state.name !== 'ReadOrderPlaced');
    expect(laterInputs.length).toBeGreaterThan(0);
    for (const entered of laterInputs) for (const sentinel of SENTINELS) expect(JSON.stringify(entered)).not.toContain(sentinel);
  });
});
