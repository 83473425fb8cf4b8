import { describe, expect, it } from 'vitest';
import { itemSize, transactionWriteUnits, valueSize } from '../../bench/write-units.ts';

const indexes = [{ partitionKey: 'channelStatus', sortKey: 'orderId' }];
const keys = ['pk', 'sk'];
const order = (status: string, padding: number) => ({
  pk: { S: 'ORDER#1' },
  sk: { S: 'ORDER' },
  orderId: { S: '1' },
  channelStatus: { S: `web#${status}` },
  body: { S: 'x'.repeat(padding) },
});

describe('item size', () => {
  it('counts attribute names and values as the developer guide does', () => {
    expect(itemSize({ ab: { S: 'héllo' } })).toBe(2 + 6);
    expect(valueSize({ N: '123.45' })).toBe(4); // 5 significant digits -> 3 bytes + 1
    expect(valueSize({ N: '-0.0001' })).toBe(2);
    expect(valueSize({ BOOL: true })).toBe(1);
    expect(valueSize({ L: [{ S: 'ab' }, { NULL: true }] })).toBe(3 + (2 + 1) + (1 + 1));
    expect(valueSize({ M: { k: { S: 'v' } } })).toBe(3 + 1 + 1 + 1);
    expect(valueSize({ SS: ['a', 'bb'] })).toBe(3);
  });
});

describe('transaction write units', () => {
  it('charges 2 units per KB of each item, rounded up per item', () => {
    const units = transactionWriteUnits([{ after: { pk: { S: 'a' }, sk: { S: 'b' } } }, { after: order('PLACED', 1500) }], [], keys);
    expect(units).toEqual({ table: 2 + 4, indexes: 0 });
  });

  it('bills an update on the larger of the item before and after', () => {
    const units = transactionWriteUnits([{ before: order('PLACED', 3000), after: order('PLACED', 200) }], indexes, keys);
    expect(units).toEqual({ table: 6, indexes: 0 });
  });

  it('writes an index entry when it appears, and twice when its key changes', () => {
    expect(transactionWriteUnits([{ after: order('PLACED', 10) }], indexes, keys).indexes).toBe(1);
    expect(transactionWriteUnits([{ before: order('PLACED', 10), after: order('ROUTED', 10) }], indexes, keys).indexes).toBe(2);
    expect(transactionWriteUnits([{ before: order('PLACED', 10) }], indexes, keys).indexes).toBe(1);
  });

  it('counts a condition check on an unchanged item like a write', () => {
    const item = order('PLACED', 100);
    expect(transactionWriteUnits([{ before: item, after: item }], indexes, keys)).toEqual({ table: 2, indexes: 0 });
  });
});
