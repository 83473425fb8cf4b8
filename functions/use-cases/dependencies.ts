import { ulid } from 'ulid';
import { SandboxCarrier } from '../carriers/sandbox-carrier.ts';
import { channelSettings, requiredEnv } from '../environment.ts';
import { channelSettingsOf, type ChannelSettings } from '../domain/channel-settings.ts';
import { SchedulerTimers } from '../timers/scheduler-timers.ts';
import { createDocumentClient } from '../store/dynamodb.ts';
import { OrderStore } from '../store/order-store.ts';
import { PolicyStore } from '../store/policy-store.ts';
import type { RoutingPolicy } from '../domain/routing/routing-policy.ts';
import { cachedPolicy } from './cached-policy.ts';
import { StockStore } from '../store/stock-store.ts';
import { CapacityStore } from '../store/capacity-store.ts';
import { TrackingStore } from '../store/tracking-store.ts';
import { QuoteStore } from '../store/quote-store.ts';
import { ReturnStore } from '../store/return-store.ts';
import { CustomerIndex } from '../store/customer-index.ts';
import { InFlightIndex } from '../store/in-flight-index.ts';
import { FulfilmentExecutions } from '../reconciler/fulfilment-executions.ts';
import { deadlineSettingsFrom } from '../reconciler/deadline-settings.ts';
import { DEFAULT_DEADLINES, type DeadlineSettings } from '../domain/deadlines.ts';
import { lazyEncryptionSdkCipher } from '../crypto/lazy-cipher.ts';
import { adapterNotConfigured } from '../adapter-variables.ts';
import type {
  CapacityRepository,
  CarrierGateway,
  CustomerOrders,
  FulfilmentStarter,
  InFlightOrders,
  OrderRepository,
  OrderTimers,
  PersonalDataCipher,
  PolicyRepository,
  QuoteRepository,
  ReturnLabelGateway,
  ReturnRepository,
  StockRepository,
  StoredPolicy,
  TrackingRepository,
} from './ports.ts';

/** What the use cases need from the outside world, as interfaces (see ports.ts); tests pass their own. */
export interface Dependencies {
  orders: OrderRepository;
  stock: StockRepository;
  capacity: CapacityRepository;
  policies: PolicyRepository;
  tracking: TrackingRepository;
  /** Delivery-option quotes: written by `POST /quotes`, read by RouteOrder for an order that references one. */
  quotes: QuoteRepository;
  customers: CustomerOrders;
  inFlight: InFlightOrders;
  /** Starts fulfilment executions: the re-drive of ADR 0002, also for operators' retries and releases. */
  fulfilment: FulfilmentStarter;
  deadlines: DeadlineSettings;
  /** One-time timers of orders: the end of a hold window, of a wait for payment (ADR 0005). */
  timers: OrderTimers;
  /** A channel's settings (config/channels.json): its hold window and payment wait. */
  channels: (channel: string) => ChannelSettings;
  /** The live routing policy, cached per process. */
  routingPolicy: () => Promise<StoredPolicy<RoutingPolicy> | undefined>;
  carrier: CarrierGateway;
  /** Seals personal values where they enter, opens them where a caller is entitled to them. */
  personalData: PersonalDataCipher;
  /** Returns beside their orders (functions/domain/returns.ts). */
  returns: ReturnRepository;
  /** The versioned return policy, saved like the routing policy. */
  returnPolicies: PolicyRepository;
  /** Return labels from the carriers. */
  returnLabels: ReturnLabelGateway;
  now: () => string;
  newOrderId: () => string;
  newQuoteId: () => string;
  newReturnId: () => string;
}

/**
 * What the fulfilment steps use. The step table builds only this ({@link stepDependencies}), so a
 * step's bundle carries neither the personal-data cipher nor the state-machine client.
 */
export type StepDependencies = Pick<Dependencies, 'orders' | 'stock' | 'capacity' | 'routingPolicy' | 'quotes' | 'carrier' | 'channels' | 'now'>;

/** The carriers' adapter for the mode the stack sets: shipments for the workflow, return labels for returns. */
function carrierFromEnvironment(): CarrierGateway & ReturnLabelGateway {
  const mode = process.env.CARRIER_MODE ?? 'sandbox';
  if (mode === 'sandbox') return SandboxCarrier.fromEnvironment();
  throw new Error(`Unknown CARRIER_MODE ${mode}`);
}

export interface DependencyOptions {
  /** How long the routing policy is reused per process; 0 reads it for every decision. */
  policyCacheMs?: number;
  /** How long warehouse capacity counts are reused per process. */
  capacityCacheMs?: number;
  carrier?: CarrierGateway;
  returnLabels?: ReturnLabelGateway;
  fulfilment?: FulfilmentStarter;
  deadlines?: DeadlineSettings;
  personalData?: PersonalDataCipher;
  timers?: OrderTimers;
  /** @default the CHANNEL_SETTINGS the stack sets, else every channel's defaults */
  channels?: (channel: string) => ChannelSettings;
}

/**
 * Built at the first schedule, so only the functions that schedule need the scheduler's settings.
 * Read as `process.env.ORDER_TIMERS_GROUP`: a function whose template never sets it is bundled
 * without the Scheduler client (the positive test first: esbuild drops an `if (undefined)` branch) (functions/adapter-variables.ts).
 */
function timersFromEnvironment(): OrderTimers {
  let timers: SchedulerTimers | undefined;
  const scheduler = (): SchedulerTimers => {
    if (process.env.ORDER_TIMERS_GROUP) return (timers ??= SchedulerTimers.fromEnvironment());
    throw adapterNotConfigured('ORDER_TIMERS_GROUP');
  };
  return {
    schedule: (timer) => scheduler().schedule(timer),
    cancel: (timer) => scheduler().cancel(timer),
  };
}

/**
 * Built at the first start, so only the routes that re-drive need the state machine's ARN.
 * Read as `process.env.STATE_MACHINE_ARN`: a function whose template never sets it is bundled
 * without the Step Functions client (functions/adapter-variables.ts).
 */
function fulfilmentFromEnvironment(): FulfilmentStarter {
  let executions: FulfilmentExecutions | undefined;
  return {
    start: (orderId, attempt) => {
      if (process.env.STATE_MACHINE_ARN) return (executions ??= new FulfilmentExecutions(process.env.STATE_MACHINE_ARN)).start(orderId, attempt);
      throw adapterNotConfigured('STATE_MACHINE_ARN');
    },
  };
}

type DocumentClient = ReturnType<typeof createDocumentClient>;

/** The time the ports stamp, as `Dependencies.now`. */
export const currentTime = (): string => new Date().toISOString();

function createStepDependencies(client: DocumentClient, tableName: string, policies: PolicyStore, options: DependencyOptions): StepDependencies {
  return {
    orders: new OrderStore(client, tableName),
    stock: new StockStore(client, tableName),
    capacity: new CapacityStore(client, tableName, { cacheMs: options.capacityCacheMs ?? 5_000 }),
    routingPolicy: cachedPolicy<RoutingPolicy>(policies, options.policyCacheMs ?? 30_000),
    quotes: new QuoteStore(client, tableName),
    carrier: options.carrier ?? carrierFromEnvironment(),
    channels: options.channels ?? ((channel) => channelSettingsOf(channelSettings(), channel)),
    now: currentTime,
  };
}

/** The DynamoDB repositories over one table and the gateways; tests and benchmarks build theirs with this too. */
export function createDependencies(client: DocumentClient, tableName: string, options: DependencyOptions = {}): Dependencies {
  const policies = new PolicyStore(client, tableName, 'routing');
  return {
    ...createStepDependencies(client, tableName, policies, options),
    policies,
    tracking: new TrackingStore(client, tableName),
    customers: new CustomerIndex(client, tableName),
    inFlight: new InFlightIndex(client, tableName),
    fulfilment: options.fulfilment ?? fulfilmentFromEnvironment(),
    deadlines: options.deadlines ?? DEFAULT_DEADLINES,
    timers: options.timers ?? timersFromEnvironment(),
    // Built on first use: only functions that seal or open have the key in their environment
    // (and the KMS permissions); the others never touch personal values.
    personalData: options.personalData ?? lazyEncryptionSdkCipher(),
    returns: new ReturnStore(client, tableName),
    returnPolicies: new PolicyStore(client, tableName, 'returns'),
    returnLabels: options.returnLabels ?? carrierFromEnvironment(),
    newOrderId: () => ulid(),
    newQuoteId: () => ulid(),
    newReturnId: () => ulid(),
  };
}

/** The settings the stack gives every function, read from its environment. */
function optionsFromEnvironment(): DependencyOptions {
  return {
    policyCacheMs: Number(process.env.ROUTING_POLICY_CACHE_SECONDS ?? 30) * 1000,
    capacityCacheMs: Number(process.env.CAPACITY_CACHE_SECONDS ?? 5) * 1000,
  };
}

let documentClient: DocumentClient | undefined;

/** The process's one DynamoDB document client, and the orders table the stack names: every port built from the environment shares them. */
function environmentTable(): { client: DocumentClient; tableName: string } {
  documentClient ??= createDocumentClient();
  return { client: documentClient, tableName: requiredEnv('ORDERS_TABLE_NAME') };
}

let cachedSteps: StepDependencies | undefined;

/** The fulfilment steps' part, built once per process from the environment and reused across invocations. */
export function stepDependencies(): StepDependencies {
  if (!cachedSteps) {
    const { client, tableName } = environmentTable();
    cachedSteps = createStepDependencies(client, tableName, new PolicyStore(client, tableName, 'routing'), optionsFromEnvironment());
  }
  return cachedSteps;
}

let cached: Dependencies | undefined;

/** Built once per process from the environment the stack sets, and reused across invocations. */
export function dependencies(): Dependencies {
  if (!cached) {
    const { client, tableName } = environmentTable();
    cached = createDependencies(client, tableName, { ...optionsFromEnvironment(), deadlines: deadlineSettingsFrom(process.env) });
  }
  return cached;
}

/*
 * One port from the environment, for a handler that uses nothing else. It imports the one it needs, so
 * its bundle carries that store alone: not every store, gateway and the channels file's schema (zod's
 * full build) that dependencies() builds (GetRoutingPolicy: 375.7 -> 254.3 KiB, BENCHMARKS "Cold start, third pass").
 */
let routingPolicies: PolicyStore | undefined;
let returnPolicies: PolicyStore | undefined;
let stock: StockStore | undefined;
let orders: OrderStore | undefined;
let personalData: PersonalDataCipher | undefined;

/** The saved routing policy's versions, as `dependencies().policies`. */
export function routingPolicyRepository(): PolicyRepository {
  const { client, tableName } = environmentTable();
  return (routingPolicies ??= new PolicyStore(client, tableName, 'routing'));
}

/** The saved return policy's versions, as `dependencies().returnPolicies`. */
export function returnPolicyRepository(): PolicyRepository {
  const { client, tableName } = environmentTable();
  return (returnPolicies ??= new PolicyStore(client, tableName, 'returns'));
}

/** Stock per SKU, as `dependencies().stock`. */
export function stockRepository(): StockRepository {
  const { client, tableName } = environmentTable();
  return (stock ??= new StockStore(client, tableName));
}

/** Orders, as `dependencies().orders`. */
export function orderRepository(): OrderRepository {
  const { client, tableName } = environmentTable();
  return (orders ??= new OrderStore(client, tableName));
}

/** Seals and opens personal values, as `dependencies().personalData`: the Encryption SDK only where the stack sets the key. */
export function personalDataCipher(): PersonalDataCipher {
  return (personalData ??= lazyEncryptionSdkCipher());
}
