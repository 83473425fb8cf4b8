/**
 * The storage-first intake's use cases against DynamoDB Local, with an in-memory queue: an accepted order gets
 * the id its channel order id derives, is sealed before it is queued, and lands as the direct path would; copies
 * land once (SQS delivers at least once), an order placed directly is answered as a repeat, and a key reused for
 * another request is refused at intake and at landing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflict } from '../../functions/domain/errors.ts';
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';
import { inFlightSince } from '../../functions/domain/deadlines.ts';
import { acceptOrderOnce, landOrder, landQueuedOrder, placeOrderOnce, queuedOrderId } from '../../functions/use-cases/place-order.ts';
import type { AcceptedOrder, OrderIntakeQueue } from '../../functions/use-cases/ports.ts';
import { orderRequest } from '../fixtures/orders.ts';
import { localDependencies } from '../support/dynamodb.ts';

let deps: Dependencies;
const queued: AcceptedOrder[] = [];
const queue: OrderIntakeQueue = { enqueue: async (accepted) => void queued.push(structuredClone(accepted)) };

beforeAll(async () => {
  deps = await localDependencies('queued-intake');
});

describe('queuedOrderId', () => {
  it('is a ULID-shaped id that only the channel and its order id decide', () => {
    const id = queuedOrderId('web-shop', 'WEB-1');
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(queuedOrderId('web-shop', 'WEB-1')).toBe(id);
    expect(queuedOrderId('marketplace', 'WEB-1')).not.toBe(id);
    expect(queuedOrderId('web-shop', 'WEB-2')).not.toBe(id);
  });
});

describe('acceptOrderOnce and landOrder', () => {
  it('queues the order sealed, under its derived id, and lands it once however often the message comes', async () => {
    const request = orderRequest();
    const result = await acceptOrderOnce(deps, queue, request, 'key-1');
    expect(result).toEqual({ accepted: true, orderId: queuedOrderId(request.channel, request.channelOrderId) });
    const message = queued.at(-1)!;
    expect(JSON.stringify(message)).not.toContain('Li Wei');
    expect(JSON.stringify(message)).not.toContain('Century Avenue');
    expect(message.idempotencyKey).toBe('key-1');

    expect((await landOrder(deps, message)).created).toBe(true);
    expect((await landOrder(deps, message)).created).toBe(false);
    expect(await deps.orders.get(result.accepted ? result.orderId : '')).toMatchObject({ status: 'PLACED', channelOrderId: request.channelOrderId });

    const again = await acceptOrderOnce(deps, queue, request, 'key-1');
    expect(again).toMatchObject({ accepted: false, order: { orderId: message.order.orderId, shipTo: { name: 'Li Wei' } } });
  });

  it('answers an order placed directly as a repeat, and refuses its key or channel order id for another request', async () => {
    const request = orderRequest();
    const { order } = await placeOrderOnce(deps, request, 'key-2');
    const before = queued.length;
    expect(await acceptOrderOnce(deps, queue, request, 'key-2')).toMatchObject({ accepted: false, order: { orderId: order.orderId } });
    await expect(acceptOrderOnce(deps, queue, { ...request, currency: 'USD' }, 'key-2')).rejects.toBeInstanceOf(IdempotencyConflict);
    await expect(acceptOrderOnce(deps, queue, { ...request, lines: [{ sku: 'MUG-002', quantity: 1, unitPrice: 900 }] })).rejects.toBeInstanceOf(IdempotencyConflict);
    expect(queued.length).toBe(before);
  });

  it('refuses at landing a copy accepted with another body before the first landed', async () => {
    const request = orderRequest();
    await acceptOrderOnce(deps, queue, request);
    const first = queued.at(-1)!;
    await acceptOrderOnce(deps, queue, { ...request, currency: 'USD' });
    const second = queued.at(-1)!;
    expect(second.order.orderId).toBe(first.order.orderId);
    await landOrder(deps, first);
    await expect(landOrder(deps, second)).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  it('starts a queued order\'s fulfilment clock when it lands, not when it was accepted: a burst\'s wait in the queue is no deadline missed', async () => {
    const request = orderRequest();
    await acceptOrderOnce({ ...deps, now: () => '2026-12-04T10:00:00.000Z' }, queue, request);
    const message = queued.at(-1)!;
    await landQueuedOrder({ ...deps, now: () => '2026-12-04T10:07:00.000Z' }, message);
    const landed = (await deps.orders.get(message.order.orderId))!;
    expect(landed.placedAt).toBe('2026-12-04T10:00:00.000Z');
    expect(landed.history[0]).toMatchObject({ to: 'PLACED', at: '2026-12-04T10:07:00.000Z' });
    expect(inFlightSince(landed)).toBe('2026-12-04T10:07:00.000Z');
  });
});
