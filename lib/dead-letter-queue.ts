import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag.ts';

/** Properties of a {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** What fails into this queue, for the acknowledgement of AwsSolutions-SQS3 and the console. */
  readonly deadLetterSourceDescription: string;
  /** @default Duration.days(14), the SQS maximum, so a failure over a long weekend is still redrivable */
  readonly retentionPeriod?: Duration;
}

/**
 * Queue that receives what a Lambda event source mapping or an EventBridge target gave up on.
 *
 * SQS managed encryption (SSE-SQS) rather than KMS: EventBridge and Lambda can write to it without
 * key grants, and the AWS managed `aws/sqs` key cannot be used by EventBridge at all.
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
    acknowledgeNagFinding(
      this,
      'AwsSolutions-SQS3',
      `This queue is itself a dead-letter queue (of ${props.deadLetterSourceDescription}); nag only recognises DLQs referenced by another queue's redrive policy or a function's DeadLetterConfig. A DLQ of a DLQ would only move the messages; operators redrive from here and an alarm fires on the first message.`,
    );
  }
}
