/**
 * The real fulfilment definition (`state-machines/fulfilment.asl.json`) run in
 * `aws-local-stepfunctions` with every Task bound to the real fulfilment step over the
 * given dependencies: an Express execution as Step Functions would run it, retries
 * included (without their waits), so tests can race two executions of one order.
 */
import { readFileSync } from 'node:fs';
import { ExecutionError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { closeOrder, type CloseRequest } from '../../functions/use-cases/close-order.ts';
import { lockStock, releaseStock } from '../../functions/use-cases/lock-stock.ts';
import { cancelShipment, requestShipment } from '../../functions/use-cases/request-shipment.ts';
import { releaseAllocation, routeOrder } from '../../functions/use-cases/route-order.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';

type LocalHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];

const source = readFileSync(new URL('../../state-machines/fulfilment.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(
  source.replace(/\$\{(\w+)FunctionArn\}/g, (_, step: string) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`),
) as StateMachineDefinition;
const machine = new StateMachine(definition);

const STEPS: Record<string, (deps: Dependencies, input: { orderId: string }) => Promise<unknown>> = {
  LockStock: (deps, { orderId }) => lockStock(deps, orderId),
  RouteOrder: (deps, { orderId }) => routeOrder(deps, orderId),
  RequestShipment: (deps, { orderId }) => requestShipment(deps, orderId),
  CancelShipment: (deps, { orderId }) => cancelShipment(deps, orderId),
  ReleaseAllocation: (deps, { orderId }) => releaseAllocation(deps, orderId),
  ReleaseStock: (deps, { orderId }) => releaseStock(deps, orderId),
  CloseOrder: (deps, input) => closeOrder(deps, input as CloseRequest),
};

export interface ExecutionOutcome {
  /** How the execution ended: its final state's name (`ShipmentRequested`, `Compensated`, `FulfilmentFailed`, ...). */
  endState: string;
  /** The task states entered, in order. */
  tasks: string[];
}

/** Runs one execution of the workflow for `orderId`, as the OrderPlaced rule would start it. */
export async function runFulfilment(deps: Dependencies, orderId: string): Promise<ExecutionOutcome> {
  const tasks: string[] = [];
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(STEPS).map(([state, step]): [string, LocalHandler] => [
      state,
      async (input) => {
        tasks.push(state);
        return (await step(deps, input as { orderId: string })) as Awaited<ReturnType<LocalHandler>>;
      },
    ]),
  );
  const execution = machine.run(
    { detail: { orderId } },
    { overrides: { taskResourceLocalHandlers, retryIntervalOverrides: Object.fromEntries(Object.keys(STEPS).map((state) => [state, 0])) } },
  );
  try {
    await execution.result;
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    return { endState: (error.cause as Error).name, tasks };
  }
  const last = tasks.at(-1);
  return { endState: last === 'RequestShipment' ? 'ShipmentRequested' : 'Compensated', tasks };
}
