import { ulid } from 'ulid';
import type { CarrierGateway } from '../carriers/carrier-gateway.ts';
import { SandboxCarrier } from '../carriers/sandbox-carrier.ts';
import { createDocumentClient, requiredEnv } from '../store/dynamodb.ts';
import { OrderStore } from '../store/order-store.ts';
import { PolicyStore, type StoredPolicy } from '../store/policy-store.ts';
import type { RoutingPolicy } from '../domain/routing-policy.ts';
import { cachedPolicy } from './cached-policy.ts';
import { StockStore } from '../store/stock-store.ts';

/** What the use cases need from the outside world; tests pass their own. */
export interface Dependencies {
  orders: OrderStore;
  stock: StockStore;
  policies: PolicyStore;
  /** The live routing policy, cached per process. */
  routingPolicy: () => Promise<StoredPolicy<RoutingPolicy> | undefined>;
  carrier: CarrierGateway;
  now: () => string;
  newOrderId: () => string;
}

function carrierFromEnvironment(): CarrierGateway {
  const mode = process.env.CARRIER_MODE ?? 'sandbox';
  if (mode === 'sandbox') return SandboxCarrier.fromEnvironment();
  throw new Error(`Unknown CARRIER_MODE ${mode}`);
}

let cached: Dependencies | undefined;

/** Built once per process from the environment the stack sets, and reused across invocations. */
export function dependencies(): Dependencies {
  if (!cached) {
    const client = createDocumentClient();
    const tableName = requiredEnv('ORDERS_TABLE_NAME');
    const orders = new OrderStore(client, tableName);
    const policies = new PolicyStore(client, tableName, orders, 'routing');
    cached = {
      orders,
      stock: new StockStore(client, tableName),
      policies,
      routingPolicy: cachedPolicy<RoutingPolicy>(policies, Number(process.env.ROUTING_POLICY_CACHE_SECONDS ?? 30) * 1000),
      carrier: carrierFromEnvironment(),
      now: () => new Date().toISOString(),
      newOrderId: () => ulid(),
    };
  }
  return cached;
}
