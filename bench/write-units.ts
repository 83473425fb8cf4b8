/**
 * Write units of a write, computed from the items it touched.
 *
 * DynamoDB Local does not report transactions as the service bills them: it
 * reports one item per distinct size (a transaction of three 1.5 KB items
 * reports 4 units, of 0.3 + 3.5 KB items 10), and it reports no split by item.
 * So the bench reads each touched item before and after the write and applies
 * the documented rules:
 * - table: 1 write unit per KB (2 in a transaction), rounded up per item, an
 *   update billed on the larger of the item before and after; a ConditionCheck
 *   is counted like a write (an upper bound);
 * - a global secondary index: 1 unit per KB of index entry for a new entry or
 *   a removed one, both when an update changes the index key; an entry is the
 *   index and table keys, the projected attributes and 100 bytes
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export interface IndexKeys {
  /** The index's name, for the per-index figures; its key attributes when omitted. */
  name?: string;
  partitionKey: string;
  sortKey?: string;
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Bytes a number takes: about one per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^[-+]|e.*$/gi, '').replace('.', '').replace(/^0+|0+$/g, '').length;
  return Math.ceil(Math.max(digits, 1) / 2) + 1;
}

/** Size of one attribute value, as the DynamoDB developer guide's "Item sizes and formats" counts it. */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + valueSize(element) + 1, 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + utf8(name) + valueSize(element) + 1, 0);
  return 0;
}

/** Attribute names plus values. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

const kilobytes = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

function indexEntry(item: Item | undefined, index: IndexKeys, tableKeys: readonly string[]): { key: string; size: number } | undefined {
  if (!item) return undefined;
  const names = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
  if (names.some((name) => item[name] === undefined)) return undefined;
  const attributes = [...new Set([...names, ...tableKeys])];
  return {
    key: JSON.stringify(names.map((name) => item[name])),
    size: 100 + attributes.reduce((sum, name) => sum + (item[name] ? utf8(name) + valueSize(item[name]) : 0), 0),
  };
}

export interface TransactionChange {
  before?: Item;
  after?: Item;
}

export interface ItemWriteUnits {
  table: number;
  /** Units per index written, by index name. */
  indexes: Record<string, number>;
}

/**
 * Units one item's write costs, from the item before and after it: `unitsPerKb` is 1 for a
 * standard write and 2 for an action of a transaction (keys-only indexes, 1 unit per KB always).
 */
export function itemWriteUnits(
  { before, after }: TransactionChange,
  indexes: readonly IndexKeys[],
  tableKeys: readonly string[],
  unitsPerKb: 1 | 2,
): ItemWriteUnits {
  const units: ItemWriteUnits = { table: unitsPerKb * kilobytes(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0)), indexes: {} };
  for (const keys of indexes) {
    const old = indexEntry(before, keys, tableKeys);
    const next = indexEntry(after, keys, tableKeys);
    if (old?.key === next?.key) continue;
    units.indexes[keys.name ?? keys.partitionKey] = (old ? kilobytes(old.size) : 0) + (next ? kilobytes(next.size) : 0);
  }
  return units;
}

/** Units a committed transaction costs, from the touched items before and after it (keys-only indexes). */
export function transactionWriteUnits(
  changes: readonly TransactionChange[],
  indexes: readonly IndexKeys[],
  tableKeys: readonly string[],
): { table: number; indexes: number } {
  let table = 0;
  let index = 0;
  for (const change of changes) {
    const units = itemWriteUnits(change, indexes, tableKeys, 2);
    table += units.table;
    index += Object.values(units.indexes).reduce((sum, n) => sum + n, 0);
  }
  return { table, indexes: index };
}
