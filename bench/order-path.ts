/**
 * The happy path of an order through the synthesized app, for the hop breakdown: the request that
 * places it, the workflow's task states from StartAt following `Next` (catches are the unhappy
 * paths), and which write produces each event the bench follows.
 */
import type { Json, Topology } from '../local/topology.ts';
import type { OrderPath } from './hop-breakdown.ts';

/** Task states met from StartAt along `Next`, with the function each calls. */
export function happyPathSteps(definition: Json, taskFunctions: Record<string, string>): OrderPath['steps'] {
  const steps: OrderPath['steps'] = [];
  const visited = new Set<string>();
  let name: string | undefined = definition.StartAt;
  while (name && !visited.has(name)) {
    visited.add(name);
    const state = definition.States?.[name];
    if (!state) break;
    const fn = taskFunctions[name];
    if (state.Type === 'Task' && fn) steps.push({ state: name, functionLogicalId: fn });
    name = state.Next;
  }
  return steps;
}

export function orderPathOf(topology: Topology): OrderPath {
  const machines = [...topology.stateMachines.values()];
  if (machines.length !== 1) throw new Error(`The hop breakdown follows one workflow; the stack has ${machines.length}`);
  const [machine] = machines;
  return {
    placeRoute: 'POST /orders',
    steps: happyPathSteps(machine!.definition, machine!.taskFunctions),
    placedEvent: 'OrderPlaced',
    finalEvent: 'OrderShipmentRequested',
    // Each step writes the transition its event announces (functions/domain/events.ts, DETAIL_TYPES).
    writers: { OrderPlaced: 'place', OrderStockLocked: 'LockStock', OrderRouted: 'RouteOrder', OrderShipmentRequested: 'RequestShipment' },
  };
}
