/**
 * Events, flattened as event-ruler does: one field per leaf value, named by the dot-joined path, arrays crushed
 * out; each field remembers which element of which array it came from, so a match can't mix array elements.
 */

import { InvalidEventError } from './errors.ts';
import { type JsonNode, type JsonObject, JsonSyntaxError, parseJson, tokenText } from './json-lexer.ts';
import { quote } from './matchers.ts';

export interface EventField {
  // event-ruler's text form: strings quoted, everything else its JSON lexeme.
  readonly text: string;
  readonly isNumber: boolean;
  readonly membership: Membership;
}

export type Membership = ReadonlyMap<number, number>;
export const NO_MEMBERSHIP: Membership = new Map();

export function parseEvent(eventText: string): JsonObject {
  let root: JsonNode;
  try {
    root = parseJson(eventText);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InvalidEventError(error.message);
    throw error;
  }
  if (root.kind !== 'object') throw new InvalidEventError('Event must be a JSON object');
  return root;
}

export function flattenEvent(root: JsonObject): Map<string, EventField[]> {
  const fields = new Map<string, EventField[]>();
  const path: string[] = [];
  let arrayCount = 0;
  let membership: Membership = NO_MEMBERSHIP;

  const addLeaf = (node: JsonNode): void => {
    const name = path.join('.');
    const field: EventField =
      node.kind === 'string'
        ? { text: quote(node.value), isNumber: false, membership }
        : { text: tokenText(node), isNumber: node.kind === 'number', membership };
    const list = fields.get(name);
    if (list) list.push(field);
    else fields.set(name, [field]);
  };
  const visit = (node: JsonNode): void => {
    if (node.kind === 'object') {
      for (const [name, value] of node.members) {
        path.push(name);
        visit(value);
        path.pop();
      }
    } else if (node.kind === 'array') {
      const arrayId = arrayCount++;
      node.items.forEach((item, index) => {
        if (item.kind !== 'object' && item.kind !== 'array') {
          addLeaf(item);
          return;
        }
        const outer = membership;
        membership = new Map(outer).set(arrayId, index);
        visit(item);
        membership = outer;
      });
    } else addLeaf(node);
  };
  visit(root);
  return fields;
}

export function consistent(a: Membership, b: Membership): boolean {
  for (const [array, index] of b) {
    const other = a.get(array);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}

export function merge(a: Membership, b: Membership): Membership {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const merged = new Map(a);
  for (const [array, index] of b) merged.set(array, index);
  return merged;
}
