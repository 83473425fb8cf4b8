/** The state machines, with their definition substituted and each Task state mapped to the function it calls. */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { Json, StateMachineTopology } from '../topology.ts';
import { resourcesOf, type Names } from './names.ts';

export function readStateMachines(template: CfnTemplate, names: Names, functionByArn: Map<string, string>): Map<string, StateMachineTopology> {
  const stateMachines = new Map<string, StateMachineTopology>();
  for (const [logicalId, resource] of resourcesOf(template, 'AWS::StepFunctions::StateMachine')) {
    const props = resource.Properties ?? {};
    const substitutions: Record<string, string> = names.resolve(props.DefinitionSubstitutions ?? {});
    const text = String(names.resolve(props.DefinitionString)).replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in substitutions ? String(substitutions[key]) : match,
    );
    const definition = JSON.parse(text);
    const taskFunctions: Record<string, string> = {};
    const collect = (states: Record<string, Json>) => {
      for (const [stateName, state] of Object.entries(states)) {
        if (state.Type === 'Task') {
          const arn = String(state.Parameters?.FunctionName ?? state.Resource);
          const fn = functionByArn.get(arn.replace(/:\$LATEST$/, ''));
          if (fn) taskFunctions[stateName] = fn;
        }
        for (const branch of state.Branches ?? []) collect(branch.States);
        const iterator = state.ItemProcessor ?? state.Iterator;
        if (iterator) collect(iterator.States);
      }
    };
    collect(definition.States);
    stateMachines.set(logicalId, {
      logicalId,
      arn: names.arn(logicalId),
      name: names.physicalName(logicalId),
      type: props.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
      taskFunctions,
    });
  }
  return stateMachines;
}
