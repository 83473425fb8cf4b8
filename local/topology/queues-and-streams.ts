/** The SQS queues (with their redrive policy) and the event source mappings from DynamoDB streams and SQS queues. */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { Json, QueueMappingTopology, QueueTopology, StreamMappingTopology } from '../topology.ts';
import { Names, resourcesOf } from './names.ts';

export function readQueues(template: CfnTemplate, names: Names): QueueTopology[] {
  return resourcesOf(template, 'AWS::SQS::Queue').map(([logicalId, resource]): QueueTopology => {
    const redrive = resource.Properties?.RedrivePolicy;
    return {
      logicalId,
      name: names.physicalName(logicalId),
      url: String(names.resolve({ Ref: logicalId })),
      visibilityTimeoutSeconds: Number(resource.Properties?.VisibilityTimeout ?? 30),
      ...(redrive
        ? { redrive: { deadLetterQueueLogicalId: Names.target(redrive.deadLetterTargetArn)!, maxReceiveCount: Number(redrive.maxReceiveCount) } }
        : {}),
    };
  });
}

export function readStreamMappings(template: CfnTemplate): StreamMappingTopology[] {
  return resourcesOf(template, 'AWS::Lambda::EventSourceMapping').flatMap(([logicalId, resource]): StreamMappingTopology[] => {
    const props = resource.Properties ?? {};
    const tableLogicalId = Names.target(props.EventSourceArn);
    const functionLogicalId = Names.target(props.FunctionName);
    if (!tableLogicalId || !functionLogicalId || !template.Resources[tableLogicalId]?.Type.startsWith('AWS::DynamoDB::')) return [];
    return [
      {
        logicalId,
        functionLogicalId,
        tableLogicalId,
        batchSize: Number(props.BatchSize ?? 100),
        startingPosition: props.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
        filterPatterns: (props.FilterCriteria?.Filters ?? []).map((filter: Json) => String(filter.Pattern)),
        reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        bisectBatchOnFunctionError: Boolean(props.BisectBatchOnFunctionError),
        maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
        maximumRecordAgeInSeconds: Number(props.MaximumRecordAgeInSeconds ?? -1),
        maximumBatchingWindowInSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
        ...(props.DestinationConfig?.OnFailure ? { deadLetterQueueLogicalId: Names.target(props.DestinationConfig.OnFailure.Destination) } : {}),
      },
    ];
  });
}

export function readQueueMappings(template: CfnTemplate): QueueMappingTopology[] {
  return resourcesOf(template, 'AWS::Lambda::EventSourceMapping').flatMap(([logicalId, resource]): QueueMappingTopology[] => {
    const props = resource.Properties ?? {};
    const queueLogicalId = Names.target(props.EventSourceArn);
    const functionLogicalId = Names.target(props.FunctionName);
    if (!queueLogicalId || !functionLogicalId || template.Resources[queueLogicalId]?.Type !== 'AWS::SQS::Queue') return [];
    const maximumConcurrency = props.ScalingConfig?.MaximumConcurrency;
    return [
      {
        logicalId,
        functionLogicalId,
        queueLogicalId,
        batchSize: Number(props.BatchSize ?? 10),
        ...(maximumConcurrency ? { maximumConcurrency: Number(maximumConcurrency) } : {}),
        reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      },
    ];
  });
}
