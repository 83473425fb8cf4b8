import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AMENDMENT_DETAIL_TYPES, DETAIL_TYPES } from '../functions/domain/events.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { acknowledgeNagFinding } from './nag.ts';
import type { OrderStore, Partition } from './order-store.ts';
import { PipelineFunction, REPO_ROOT } from './pipeline-function.ts';

/** Amazon States Language definition of the workflow, relative to the repository root. */
export const FULFILMENT_DEFINITION_PATH = 'state-machines/fulfilment.asl.json';

/** The module holding every step's handler, one named export per Task state (relative to `functions/`). */
const STEPS_ENTRY = 'workflow/fulfilment-steps';

const FULFILMENT_PARTITIONS: readonly Partition[] = ['order', 'stock', 'capacity', 'policy', 'tracking'];

/** Partitions a step only reads, beyond the ones they share: RouteOrder reads the quote an order references. */
const STEP_READS: Readonly<Record<string, readonly Partition[]>> = {
  RouteOrder: ['quote'],
};

/** What a step needs beyond the table, by Task state: the shipment steps talk to the carrier. */
const STEP_ENVIRONMENT: Readonly<Record<string, Record<string, string>>> = {
  RequestShipment: { CARRIER_MODE: 'sandbox' },
  CancelShipment: { CARRIER_MODE: 'sandbox' },
};

/** Express executions cannot run longer than this anyway; stating it makes the limit visible in the definition. */
const EXECUTION_TIMEOUT = Duration.minutes(5);

/** The parts of an Amazon States Language definition read here. */
export interface AslDefinition {
  readonly States: Readonly<Record<string, { readonly Type: string; readonly Resource?: string }>>;
  readonly TimeoutSeconds?: number;
}

/**
 * The Task states of a definition, in definition order: the one place a step is declared. Each
 * must invoke `${<StateName>FunctionArn}`, the substitution its function fills.
 */
export function stepsOf(definition: AslDefinition): string[] {
  const steps = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
  for (const [name, state] of steps) {
    const placeholder = `\${${name}FunctionArn}`;
    if (state.Resource !== placeholder) {
      throw new Error(`${FULFILMENT_DEFINITION_PATH}: Task ${name} invokes ${state.Resource}, expected ${placeholder}`);
    }
  }
  return steps.map(([name]) => name);
}

/**
 * The definition file with the execution timeout set: `StateMachine` ignores its `timeout` prop
 * for string definitions, so the timeout has to be part of the definition.
 */
function loadDefinition(timeout: Duration): AslDefinition {
  const definition = JSON.parse(readFileSync(join(REPO_ROOT, FULFILMENT_DEFINITION_PATH), 'utf8')) as AslDefinition;
  const seconds = timeout.toSeconds();
  if (definition.TimeoutSeconds !== undefined && definition.TimeoutSeconds !== seconds) {
    throw new Error(`${FULFILMENT_DEFINITION_PATH} sets TimeoutSeconds ${definition.TimeoutSeconds}, expected ${seconds}`);
  }
  return { ...definition, TimeoutSeconds: seconds };
}

/** Properties of a {@link FulfilmentWorkflow}. */
export interface FulfilmentWorkflowProps {
  readonly stage: string;
  readonly store: OrderStore;
  /** Bus the `OrderPlaced` events arrive on. */
  readonly eventBus: IEventBus;
  /** `source` of the pipeline's own events. */
  readonly orderEventSource: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * Fulfilment of a placed order: lock stock, route, request shipment, and on failure undo what was
 * done in reverse order (`state-machines/fulfilment.asl.json`).
 *
 * Express type: executions are short and at peak there is one per order, where Standard's
 * per-transition price and start rate would dominate. Express runs at least once, so every step
 * must be idempotent. Started by an EventBridge rule on `OrderPlaced`, whose retries and DLQ cover
 * failures to start, not failures of an execution (those raise the ExecutionsFailed alarm).
 */
export class FulfilmentWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  /** Starts an execution for each `OrderPlaced` event. */
  public readonly orderPlacedRule: Rule;
  /** `OrderPlaced` events whose execution could not be started after retries. */
  public readonly deadLetterQueue: DeadLetterQueue;
  /** Step handlers by state name (`LockStock`, ...). */
  public readonly functions: Readonly<Record<string, PipelineFunction>>;

  constructor(scope: Construct, id: string, props: FulfilmentWorkflowProps) {
    super(scope, id);
    const table = props.store.table;

    const definition = loadDefinition(EXECUTION_TIMEOUT);
    const steps = stepsOf(definition);
    const unknown = Object.keys(STEP_ENVIRONMENT).filter((name) => !steps.includes(name));
    if (unknown.length > 0) throw new Error(`Step environment for ${unknown.join(', ')}: no such Task in ${FULFILMENT_DEFINITION_PATH}`);

    const functions: Record<string, PipelineFunction> = {};
    for (const step of steps) {
      const fn = new PipelineFunction(this, step, {
        entry: STEPS_ENTRY,
        handler: step,
        serviceName: 'order-fulfilment',
        stage: props.stage,
        timeout: Duration.seconds(20),
        environment: {
          ORDERS_TABLE_NAME: table.tableName,
          // Warnings and errors only: the INFO line each step wrote ("Step done", ~700 bytes per
          // step per order) repeats the transition the step records on the order. EMF metrics are
          // not the logger's and still flow; handler errors are logged by the runtime at ERROR.
          POWERTOOLS_LOG_LEVEL: 'WARN',
          ...STEP_ENVIRONMENT[step],
        },
      });
      // What the fulfilment steps touch between them: orders and reservations, stock, warehouse
      // capacity, the routing policy and tracking numbers; not intake keys or carrier events.
      props.store.grantReadWriteItems(fn, FULFILMENT_PARTITIONS);
      const reads = STEP_READS[step];
      if (reads) props.store.grantReadItems(fn, reads);
      functions[step] = fn;
    }
    this.functions = functions;

    // Vended-logs prefix: keeps Step Functions from growing the account's CloudWatch Logs resource policy.
    const logGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-fulfilment`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.EXPRESS,
      // Inline (not an S3 asset) so the template, tests and the local runtime see the definition.
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition, undefined, 2)),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(functions).map(([stepId, fn]) => [`${stepId}FunctionArn`, fn.functionArn]),
      ),
      // Not `timeout`: StateMachine applies it only to definitions built from CDK states.
      tracingEnabled: true,
      // Errors only, without inputs and outputs: a step's output is not proven free of personal
      // data, and each order's history is on the order itself (GET /orders/{id}/timeline), so
      // level ALL would log nine events per successful order (~8 KB, $3.72 per million orders)
      // that nobody reads. Failed tasks and executions are still logged, and alarmed on.
      logs: { destination: logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });
    acknowledgeNagFinding(
      this.stateMachine,
      'AwsSolutions-SF1',
      'Logs errors, not ALL events: the history of a successful execution is on the order (its timeline) and in sampled X-Ray traces; ' +
        'every failed task and execution is still logged and raises the WorkflowExecutionsFailed alarm. ALL cost ~8 KB of logs per order.',
    );
    // The definition invokes unqualified function ARNs, so no `:*` (version/alias) grant is needed.
    for (const fn of Object.values(functions)) {
      Grant.addToPrincipal({
        grantee: this.stateMachine,
        actions: ['lambda:InvokeFunction'],
        resourceArns: [fn.functionArn],
      });
    }
    acknowledgeNagFinding(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Added by StateMachine for logging and tracing: the CloudWatch Logs vended-delivery APIs (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support only Resource "*".',
    );

    this.deadLetterQueue = new DeadLetterQueue(this, 'OrderPlacedDlq', {
      deadLetterSourceDescription: 'the OrderPlaced rule target that starts fulfilment executions',
    });
    this.orderPlacedRule = new Rule(this, 'OrderPlacedRule', {
      eventBus: props.eventBus,
      description: 'Starts fulfilment for each placed order, and for each order whose payment is authorized',
      // A pending order's authorization resumes it from where it stands, as a re-drive does: the steps skip
      // what is done (domain/payment.ts). An order placed awaiting payment gets an execution only when its
      // channel locks stock at placement: one that locks at payment has nothing to do until it is authorized.
      eventPattern: {
        source: [props.orderEventSource],
        detailType: [DETAIL_TYPES.PLACED, AMENDMENT_DETAIL_TYPES.PAYMENT_AUTHORIZED],
        detail: { $or: [{ status: [{ 'anything-but': 'PAYMENT_PENDING' }] }, { data: { payment: { lockStockAt: ['placement'] } } }] },
      },
      targets: [
        new SfnStateMachine(this.stateMachine, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
