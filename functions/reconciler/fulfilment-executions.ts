/**
 * Starts fulfilment executions for re-driven orders. The input has the shape of the OrderPlaced
 * event the workflow reads (`detail.orderId`) and nothing else: no personal data in it.
 * The endpoint comes from the SDK's configuration (AWS_ENDPOINT_URL_SFN locally).
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { FulfilmentStarter } from '../use-cases/ports.ts';

export class FulfilmentExecutions implements FulfilmentStarter {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(stateMachineArn: string, client: SFNClient = new SFNClient({})) {
    this.client = client;
    this.stateMachineArn = stateMachineArn;
  }

  async start(orderId: string, attempt: number): Promise<void> {
    await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: `${orderId}-redrive-${attempt}`,
        input: JSON.stringify({ 'detail-type': 'OrderFulfilmentRedriven', detail: { orderId } }),
      }),
    );
  }
}
