/**
 * What the local interpreter (`aws-local-stepfunctions`) gets right: the Pass/Choice/Map/Parallel/
 * Fail/Succeed cases of `test/fixtures/conformance/asl-pass-only.json`, whose outcomes were recorded
 * against real AWS. A case passes when the output is deep-equal to AWS's, or when the execution
 * fails with AWS's error name (cause texts are AWS's own wording and are not compared).
 *
 * Cases the interpreter gets wrong are `it.fails`, grouped by reason below: if the interpreter is
 * fixed, they start failing here and should move back to plain `it`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface ConformanceCase {
  name: string;
  group: string;
  definition: StateMachineDefinition;
  input: unknown;
  expectedOutput?: unknown;
  /** `{}` when AWS recorded a failure without an error name. */
  expectedError?: { error?: string; cause?: string };
}

const CASES_URL = new URL('../fixtures/conformance/asl-pass-only.json', import.meta.url);
const CASES = JSON.parse(readFileSync(CASES_URL, 'utf8')) as ConformanceCase[];

/** Where the interpreter differs from AWS, one reason per group. */
const KNOWN_DIVERGENCES: Record<string, string[]> = {
  'A Fail state without Error: AWS reports no error name, the interpreter invents "FailStateError"': [
    'localstack/test_state_fail_empty',
    'localstack/test_map_state_catch_empty_fail',
  ],
  'Intrinsic functions in ErrorPath/CausePath are read as plain JSONPath (States.Runtime)': ['localstack/test_state_fail_intrinsic'],
  'A JSONPath wildcard or slice that matches nothing is [] on AWS, States.Runtime in the interpreter': [
    'localstack/test_json_path_array_wildcard_or_slice_with_no_input[$.items[*]]',
    'localstack/test_json_path_array_wildcard_or_slice_with_no_input[$.item.items[1:5].itemValue]',
  ],
  'ToleratedFailureCountPath (distributed Map) is not evaluated, so a non-integer is not rejected': [
    'localstack/test_map_state_tolerated_failure_count_path[NoNumber]',
  ],
  'Intrinsic function edge cases: Format of JSON objects, StringToJson(""), MathAdd rounding, StringSplit empty tokens': [
    'localstack/test_format_2#7',
    'localstack/test_string_to_json#0',
    'localstack/test_math_add#1',
    'localstack/test_math_add#10',
    'localstack/test_string_split#2',
  ],
};
const divergenceOf = new Map(Object.entries(KNOWN_DIVERGENCES).flatMap(([reason, names]) => names.map((n) => [n, reason] as const)));

/** Zero retry intervals for every state with a Retry, nested ones included (timing is not under test). */
function zeroRetryIntervals(definition: StateMachineDefinition, into: Record<string, number> = {}): Record<string, number> {
  for (const [name, state] of Object.entries(definition.States as Record<string, unknown>) as [string, Record<string, unknown>][]) {
    if (state.Retry) into[name] = 0;
    for (const branch of (state.Branches as StateMachineDefinition[] | undefined) ?? []) zeroRetryIntervals(branch, into);
    for (const key of ['Iterator', 'ItemProcessor']) if (state[key]) zeroRetryIntervals(state[key] as StateMachineDefinition, into);
  }
  return into;
}

type Result = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string | undefined };

async function run(c: ConformanceCase): Promise<Result> {
  // The validator annotates the definition it is given: keep the shared data untouched.
  const machine = new StateMachine(structuredClone(c.definition), { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(structuredClone(c.input) as never, {
    overrides: { retryIntervalOverrides: zeroRetryIntervals(c.definition) },
  });
  const events: EventLog[] = [];
  const eventsDone = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    const output = await execution.result;
    await eventsDone;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    await eventsDone;
    const failed = events.find((e) => e.type === 'ExecutionFailed');
    return { status: 'FAILED', error: failed?.type === 'ExecutionFailed' ? failed.Error : undefined };
  }
}

function expected(c: ConformanceCase): Result {
  return c.expectedError ? { status: 'FAILED', error: c.expectedError.error } : { status: 'SUCCEEDED', output: c.expectedOutput };
}

it('the data and the list of known divergences agree', () => {
  expect(CASES.length).toBeGreaterThan(0);
  const names = new Set(CASES.map((c) => c.name));
  expect(names.size).toBe(CASES.length);
  for (const name of divergenceOf.keys()) expect(names, name).toContain(name);
  for (const c of CASES) expect('expectedOutput' in c !== 'expectedError' in c, c.name).toBe(true);
});

const groups = [...new Set(CASES.map((c) => c.group))];
describe.each(groups)('%s', (group) => {
  for (const c of CASES.filter((k) => k.group === group)) {
    const reason = divergenceOf.get(c.name);
    const test = reason ? it.fails : it;
    test(reason ? `${c.name} (differs: ${reason})` : c.name, async () => {
      expect(await run(c)).toEqual(expected(c));
    });
  }
});
