/** The hop breakdown: one order's hops from hand-made engine marks, and their median, p90 and mean over orders. */
import { describe, expect, it } from 'vitest';
import { formatHops, orderHops, POLL_PERIOD, POLL_WAIT, summarizeHops, WRITE_TO_BUS, type OrderPath } from '../../bench/hop-breakdown.ts';
import { happyPathSteps } from '../../bench/order-path.ts';
import type { HopMark } from '../../local/hop-recorder.ts';

const PATH: OrderPath = {
  placeRoute: 'POST /orders',
  steps: [
    { state: 'LockStock', functionLogicalId: 'Lock' },
    { state: 'RequestShipment', functionLogicalId: 'Ship' },
  ],
  placedEvent: 'OrderPlaced',
  finalEvent: 'OrderShipmentRequested',
  writers: { OrderPlaced: 'place', OrderStockLocked: 'LockStock', OrderShipmentRequested: 'RequestShipment' },
};

/**
 * One order, times in ms from 0 (a write is stamped when DynamoDB answered it, else when its handler
 * returned): placed at 0-30, its record read at 100, the workflow 120-220, the last record read at 300. */
function orderMarks(offset = 0): HopMark[] {
  const t = (ms: number) => 1_000_000 + offset + ms;
  return [
    { kind: 'invocation', functionLogicalId: 'Place', startedAt: t(2), endedAt: t(28), handlerMs: 24, handlerEndedAt: t(27) },
    { kind: 'http', routeKey: 'POST /orders', functionLogicalId: 'Place', receivedAt: t(0), answeredAt: t(30), status: 201 },
    { kind: 'event', busName: 'bus', detailType: 'OrderPlaced', acceptedAt: t(115) },
    { kind: 'invocation', functionLogicalId: 'Publisher', startedAt: t(105), endedAt: t(118), handlerMs: 12, handlerEndedAt: t(117) },
    { kind: 'stream-batch', functionLogicalId: 'Publisher', requestedAt: t(90), readAt: t(100), invokedAt: t(105), doneAt: t(118), records: 1 },
    { kind: 'invocation', functionLogicalId: 'Lock', startedAt: t(121), endedAt: t(161), handlerMs: 38, handlerEndedAt: t(160) },
    { kind: 'invocation', functionLogicalId: 'Ship', startedAt: t(162), endedAt: t(212), handlerMs: 47, handlerEndedAt: t(210), lastWriteAt: t(205) },
    { kind: 'execution', stateMachineArn: 'sm', startedAt: t(116), stoppedAt: t(220), status: 'SUCCEEDED' },
    // The lock's and the ship's records come in one batch: the lock's event is put first.
    { kind: 'event', busName: 'bus', detailType: 'OrderStockLocked', acceptedAt: t(310) },
    { kind: 'event', busName: 'bus', detailType: 'OrderShipmentRequested', acceptedAt: t(312) },
    { kind: 'stream-batch', functionLogicalId: 'Publisher', requestedAt: t(262), previousRequestedAt: t(12), readAt: t(300), invokedAt: t(301), doneAt: t(320), records: 2 },
  ];
}

describe('orderHops', () => {
  it('follows the order from the request to the final event, hop by hop', () => {
    const hops = new Map(orderHops(orderMarks(), PATH));
    expect(hops.get('POST /orders answered')).toBeCloseTo(30);
    expect(hops.get('  the handler')).toBeCloseTo(24);
    expect(hops.get('  worker round trip')).toBeCloseTo(2);
    expect(hops.get('  HTTP API (authorizer, request, response)')).toBeCloseTo(4);
    expect(hops.get(`OrderPlaced: ${POLL_WAIT}`)).toBeCloseTo(63);
    expect(hops.get('OrderPlaced: GetRecords answered')).toBeCloseTo(10);
    expect(hops.get('OrderPlaced: read → publisher invoked')).toBeCloseTo(5);
    expect(hops.get('OrderPlaced: publisher invoked → PutEvents accepted')).toBeCloseTo(10);
    expect(hops.get('OrderPlaced: write → accepted on the bus')).toBeCloseTo(88);
    expect(hops.get('bus → execution started')).toBeCloseTo(1);
    expect(hops.get('execution started → LockStock invoked')).toBeCloseTo(5);
    expect(hops.get('LockStock')).toBeCloseTo(40);
    expect(hops.get('  LockStock worker round trip')).toBeCloseTo(2);
    expect(hops.get('LockStock → RequestShipment invoked')).toBeCloseTo(1);
    expect(hops.get('RequestShipment')).toBeCloseTo(50);
    expect(hops.get(`OrderShipmentRequested: ${POLL_PERIOD}`)).toBeCloseTo(250);
    expect(hops.has(`OrderPlaced: ${POLL_PERIOD}`)).toBe(false);
    // From the ship write's answer (205), not the handler's return (210).
    expect(hops.get(`OrderShipmentRequested: ${POLL_WAIT}`)).toBeCloseTo(57);
    expect(hops.get('OrderShipmentRequested: GetRecords answered')).toBeCloseTo(38);
    expect(hops.get('OrderShipmentRequested: write → accepted on the bus')).toBeCloseTo(107);
    expect(hops.get('POST → OrderShipmentRequested accepted on the bus')).toBeCloseTo(312);
    // 2 + 1 + 2 + 3 ms between the host and the workers.
    expect(hops.get('worker round trips, all invocations of the order')).toBeCloseTo(8);
  });

  it('counts every event of the order in write → bus, each from the write that produced it', () => {
    const writeToBus = orderHops(orderMarks(), PATH).filter(([hop]) => hop === WRITE_TO_BUS).map(([, ms]) => Math.round(ms));
    // OrderPlaced from the place write (27), OrderStockLocked from LockStock's (160), OrderShipmentRequested from RequestShipment's (205).
    expect(writeToBus).toEqual([88, 150, 107]);
  });

  it('keeps the hops in path order and leaves out those the marks do not show', () => {
    const withoutWorkflow = orderMarks().filter((m) => m.kind !== 'execution' && m.kind !== 'invocation');
    const hops = orderHops(withoutWorkflow, PATH).map(([hop]) => hop);
    expect(hops[0]).toBe('POST /orders answered');
    expect(hops).not.toContain('LockStock');
    expect(orderHops([], PATH)).toEqual([]);
  });
});

describe('summarizeHops', () => {
  it('gives the nearest-rank median and p90 and the mean of each hop over the orders', () => {
    const orders = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms) => [['hop', ms] as [string, number]]);
    const [row] = summarizeHops(orders);
    expect(row).toEqual({ hop: 'hop', orders: 10, medianMs: 60, p90Ms: 100, meanMs: 55 });
  });

  it('lists hops in the order they first appear, each counted in the orders that went through it', () => {
    const rows = summarizeHops([
      [['a', 1], ['b', 2], ['b', 4]],
      [['a', 3], ['c', 5]],
    ]);
    expect(rows.map((row) => [row.hop, row.orders, row.meanMs])).toEqual([['a', 2, 2], ['b', 1, 3], ['c', 1, 5]]);
  });

  it('formats one aligned line per hop under a header', () => {
    const lines = formatHops(summarizeHops(orderHops(orderMarks(), PATH).map((hop) => [hop])));
    expect(lines[0]).toMatch(/^hop +median +p90 +mean +orders$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});

describe('happyPathSteps', () => {
  it('follows Next from StartAt and keeps the Task states with a function', () => {
    const definition = {
      StartAt: 'Read',
      States: {
        Read: { Type: 'Pass', Next: 'Lock' },
        Lock: { Type: 'Task', Next: 'Ship', Catch: [{ Next: 'Undo' }] },
        Ship: { Type: 'Task', Next: 'Done' },
        Undo: { Type: 'Task', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    expect(happyPathSteps(definition, { Lock: 'LockFn', Ship: 'ShipFn', Undo: 'UndoFn' })).toEqual([
      { state: 'Lock', functionLogicalId: 'LockFn' },
      { state: 'Ship', functionLogicalId: 'ShipFn' },
    ]);
  });
});
