/**
 * The storage-first intake's queue on SQS: one message per accepted order, its personal values
 * already sealed, so the queue (encrypted at rest too) holds nothing readable without the key.
 */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AcceptedOrder, OrderIntakeQueue } from '../use-cases/ports.ts';
import type { AdapterVariable } from '../adapter-variables.ts';

/**
 * Where the place-order function finds the queue; set only when the stage takes orders through it
 * (`orderPipeline:orderIntake=queue`). An adapter variable (functions/adapter-variables.ts): a stage
 * that writes orders directly bundles its place-order function without the SQS client.
 */
export const INTAKE_QUEUE_URL_VARIABLE = 'ORDER_INTAKE_QUEUE_URL' satisfies AdapterVariable;

export class SqsOrderQueue implements OrderIntakeQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(queueUrl: string, client?: SQSClient) {
    // The regional endpoint (or AWS_ENDPOINT_URL_SQS) rather than the queue URL's host: the same
    // queue either way on AWS, and the local cloud's queue URLs name no host of their own.
    this.client = client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.queueUrl = queueUrl;
  }

  async enqueue(accepted: AcceptedOrder): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(accepted) }));
  }
}

/**
 * The queue when the stage has one, from the environment; `undefined` means orders are written directly.
 * Read as `process.env.ORDER_INTAKE_QUEUE_URL`, the form esbuild's `define` replaces, with the positive test first.
 */
export function intakeQueueFromEnvironment(): OrderIntakeQueue | undefined {
  if (process.env.ORDER_INTAKE_QUEUE_URL) return new SqsOrderQueue(process.env.ORDER_INTAKE_QUEUE_URL);
  return undefined;
}
