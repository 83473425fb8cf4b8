/**
 * The stream relay with EventBridge mocked: one event per transition, in stream
 * order, partial failures retried, and what still fails handed back to the stream.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { placeOrder, transition, type Order } from '../../functions/domain/order.ts';
import { OrderEventBus, publishStreamBatch, transitionOf } from '../../functions/publisher/publish-order-events.ts';
import { toOrderItem } from '../../functions/store/order-item.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { routePlan } from '../fixtures/routes.ts';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const publisher = () =>
  new OrderEventBus(new EventBridgeClient({ region: 'us-east-1' }), {
    busName: 'orders-bus',
    source: 'order-pipeline',
    sleep: async () => undefined,
  });

let sequence = 0;
/**
 * Stream images hold what the store wrote, in the JSON form Lambda delivers: binary
 * attributes (the compressed routing explanation) as base64 text.
 */
function orderItem(order: Order) {
  const image = marshall(toOrderItem(order), { removeUndefinedValues: true });
  return JSON.parse(
    JSON.stringify(image, function (this: Record<string, unknown>, key, value) {
      const original = this[key];
      return original instanceof Uint8Array ? Buffer.from(original).toString('base64') : value;
    }),
  );
}

function record(newOrder: Order | Record<string, unknown>, oldOrder?: Order, eventName: DynamoDBRecord['eventName'] = oldOrder ? 'MODIFY' : 'INSERT'): DynamoDBRecord {
  sequence += 1;
  const image = (value: Order | Record<string, unknown>) =>
    ('orderId' in value && 'history' in value ? orderItem(value as Order) : marshall(value)) as never;
  return {
    eventName,
    dynamodb: {
      SequenceNumber: String(1000 + sequence),
      NewImage: image(newOrder),
      ...(oldOrder ? { OldImage: image(oldOrder) } : {}),
    },
  };
}

function lifecycle(): Order[] {
  const placed = placeOrder(orderRequest(), `01JORDER${String(++sequence).padStart(18, '0')}`, '2026-11-23T10:00:00.000Z');
  const locked = transition(placed, 'STOCK_LOCKED', '2026-11-23T10:00:01.000Z');
  const routed = transition(locked, 'ROUTED', '2026-11-23T10:00:02.000Z', {
    route: routePlan('wh-1', [{ sku: 'TEA-001', warehouseId: 'wh-1', quantity: 2 }]),
  });
  return [placed, locked, routed];
}

function streamOf(orders: Order[]): DynamoDBStreamEvent {
  return { Records: orders.map((order, i) => record(order, orders[i - 1])) };
}

const sentEntries = (): PutEventsRequestEntry[] =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('transitionOf', () => {
  it('ignores items that are not orders, removals, and writes that did not change the version', () => {
    const [placed] = lifecycle();
    expect(transitionOf(record({ pk: 'SKU#A', sk: 'STOCK', entityType: 'Stock', available: 3 }))).toBeUndefined();
    expect(transitionOf(record(placed!, placed!))).toBeUndefined();
    expect(transitionOf(record(placed!, undefined, 'REMOVE'))).toBeUndefined();
    expect(transitionOf(record(placed!))?.event.type).toBe('OrderPlaced');
  });
});

describe('publishStreamBatch', () => {
  it('puts one event per transition, in stream order, with no personal data', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const orders = lifecycle();
    const result = await publishStreamBatch(streamOf(orders), publisher());
    expect(result.batchItemFailures).toEqual([]);
    const entries = sentEntries();
    expect(entries.map((entry) => entry.DetailType)).toEqual(['OrderPlaced', 'OrderStockLocked', 'OrderRouted']);
    expect(entries.every((entry) => entry.Source === 'order-pipeline' && entry.EventBusName === 'orders-bus')).toBe(true);
    const details = entries.map((entry) => JSON.parse(entry.Detail ?? '{}'));
    expect(details.map((detail) => detail.sequence)).toEqual([1, 2, 3]);
    expect(details[2].data.route.explanation).toEqual(orders[2]!.route!.explanation);
    const text = entries.map((entry) => entry.Detail).join('\n');
    for (const secret of ['Li Wei', '88 Century Avenue', '200000', '138 0013 8000']) expect(text).not.toContain(secret);
  });

  it('sends at most 10 entries per PutEvents call', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const orders = Array.from({ length: 8 }, () => lifecycle()).flat();
    await publishStreamBatch({ Records: orders.map((order) => record(order)) }, publisher());
    const sizes = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 4]);
  });

  it('retries only the entries that failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { EventId: 'c' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const result = await publishStreamBatch(streamOf(lifecycle()), publisher());
    expect(result.batchItemFailures).toEqual([]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Entries?.map((entry) => entry.DetailType)).toEqual(['OrderStockLocked']);
  });

  it('hands the first failing record and everything after it back to the stream', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: Entries.map((entry) => (entry.DetailType === 'OrderStockLocked' ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' })),
    }));
    const event = streamOf(lifecycle());
    const result = await publishStreamBatch(event, publisher());
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.slice(1).map((r) => r.dynamodb?.SequenceNumber),
    );
  });

  it('holds back an event that breaks its schema, and everything after it, publishing what came before', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const [placed, locked, routed] = lifecycle();
    // A currency the intake would never store: the event would not match `data.currency`.
    const broken = { ...locked!, currency: 'yuan' };
    const event = { Records: [record(placed!), record(broken, placed), record(routed!, locked)] };
    const result = await publishStreamBatch(event, publisher());
    expect(sentEntries().map((entry) => entry.DetailType)).toEqual(['OrderPlaced']);
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.slice(1).map((r) => r.dynamodb?.SequenceNumber),
    );
  });

  it('hands everything back when EventBridge cannot be reached', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    const event = streamOf(lifecycle());
    const result = await publishStreamBatch(event, publisher());
    expect(result.batchItemFailures).toHaveLength(3);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
  });
});
