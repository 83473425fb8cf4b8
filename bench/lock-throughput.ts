/**
 * Reservation throughput for one hot SKU against DynamoDB Local: many orders lock
 * stock on the same SKU at once, through the real use case and conditional writes,
 * with the SKU's counters in `shards` items. DynamoDB Local has no partition limit,
 * so this shows the cost of contention on one item versus several; on AWS each
 * shard also brings its own partition's write capacity (see docs/capacity.md).
 */
import { ulid } from 'ulid';
import { placeOrder } from '../functions/domain/order.ts';
import { benchOrder } from './orders.ts';
import { OutOfStock } from '../functions/domain/errors.ts';
import { lockStock } from '../functions/use-cases/lock-stock.ts';
import type { Dependencies } from '../functions/use-cases/dependencies.ts';
import { setOnHand } from '../functions/use-cases/inventory.ts';

export interface LockThroughput {
  shards: number;
  orders: number;
  concurrency: number;
  locked: number;
  refused: number;
  conflictsRetried: number;
  seconds: number;
  locksPerSecond: number;
}

export async function measureLockThroughput(deps: Dependencies, options: { orders: number; concurrency: number; units: number; shards: number }): Promise<LockThroughput> {
  const sku = `HOT-${ulid()}`;
  await setOnHand(deps, sku, { 'wh-hot': options.units }, options.shards);
  const orderIds: string[] = [];
  for (let i = 0; i < options.orders; i++) {
    const order = placeOrder(benchOrder(sku, { customer: i }), ulid(), new Date().toISOString());
    await deps.orders.create(order, order.orderId);
    orderIds.push(order.orderId);
  }
  let next = 0;
  let locked = 0;
  let refused = 0;
  let conflictsRetried = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < orderIds.length) {
        const orderId = orderIds[next++]!;
        for (;;) {
          try {
            await lockStock(deps, orderId);
            locked += 1;
            break;
          } catch (error) {
            if (error instanceof OutOfStock) {
              refused += 1;
              break;
            }
            if ((error as Error).name !== 'TransientError') throw error;
            conflictsRetried += 1;
          }
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { shards: options.shards, orders: options.orders, concurrency: options.concurrency, locked, refused, conflictsRetried, seconds, locksPerSecond: options.orders / seconds };
}
