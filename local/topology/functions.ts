/** The template's functions that run locally: those the PipelineFunction construct marked with their source file. */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { FunctionTopology } from '../topology.ts';
import { resourcesOf, type Names } from './names.ts';

const ENTRY_METADATA = 'order-pipeline:entry';

export function readFunctions(template: CfnTemplate, names: Names): Map<string, FunctionTopology> {
  const functions = new Map<string, FunctionTopology>();
  for (const [logicalId, resource] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') continue;
    const handler = String(resource.Properties?.Handler ?? 'index.handler');
    functions.set(logicalId, {
      logicalId,
      entry,
      exportName: handler.slice(handler.lastIndexOf('.') + 1),
      environment: names.resolve(resource.Properties?.Environment?.Variables ?? {}),
      timeoutSeconds: Number(resource.Properties?.Timeout ?? 3),
      // Lambda's default when the template leaves it out.
      memoryMb: Number(resource.Properties?.MemorySize ?? 128),
      arn: names.arn(logicalId),
    });
  }
  return functions;
}
