/**
 * Pattern compilation, following event-ruler's JsonRuleCompiler: a streaming walk in document order, so a repeated
 * leaf key replaces the earlier one and repeated object keys merge; "$or" forks the rule into branches.
 */

import { invalid } from './errors.ts';
import { hexOf, ipBytes, looksLikeIp } from './ip-addresses.ts';
import { type JsonNode, type JsonObject, tokenText } from './json-lexer.ts';
import { caseChoices, type Matcher, quote, wildcardSegments } from './matchers.ts';
import { NumberNotComparableError, patternComparable, RANGE_CEILING, RANGE_FLOOR } from './numbers.ts';

export type Branch = Map<string, Matcher[]>;

const OR = '$or';
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after',
  'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

export function compileRules(root: JsonObject): Branch[] {
  const rules: Branch[] = [];
  compileObject(rules, [], root, false);
  return rules;
}

function compileObject(rules: Branch[], path: readonly string[], object: JsonObject, insideOr: boolean): void {
  for (const [name, value] of object.members) {
    if (name === OR) {
      compileOr(rules, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name)) invalid(`${name} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    if (value.kind === 'object') compileObject(rules, [...path, name], value, insideOr);
    else if (value.kind === 'array') writeRules(rules, [...path, name].join('.'), value.items);
    else invalid(`"${name}" must be an object or an array`);
  }
  if (object.members.length === 0) invalid('Empty objects are not allowed');
}

function compileOr(rules: Branch[], path: readonly string[], value: JsonNode): void {
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  if (value.kind !== 'array') invalid(`It must be an Array followed with ${OR}.`);
  for (const item of value.items) {
    if (item.kind !== 'object') invalid(`Only JSON object is allowed in array of ${OR} relationship.`);
    const forked = before.length > 0 ? before.map((rule) => new Map(rule)) : [new Map<string, Matcher[]>()];
    compileObject(forked, path, item, true);
    rules.push(...forked);
  }
  if (value.items.length < 2) invalid(`There must have at least 2 Objects in ${OR} relationship.`);
}

function writeRules(rules: Branch[], name: string, items: readonly JsonNode[]): void {
  const matchers: Matcher[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'object':
        matchers.push(compileExpression(item));
        break;
      case 'string': {
        // A plain string that is an IP address literal matches that address in any spelling.
        const bytes = looksLikeIp(item.value) ? ipBytes(item.value) : undefined;
        matchers.push(bytes ? { op: 'ip-range', bottom: hexOf(bytes), top: hexOf(bytes) } : { op: 'exact', text: quote(item.value) });
        break;
      }
      case 'number':
        // Matches by value where the number is comparable, and always by its exact text (e.g. account IDs).
        try {
          matchers.push({ op: 'numeric-equals', value: patternComparable(item.text) });
        } catch (error) {
          if (!(error instanceof NumberNotComparableError)) throw error;
        }
        matchers.push({ op: 'exact', text: item.text });
        break;
      case 'literal':
        matchers.push({ op: 'exact', text: item.text });
        break;
      case 'array':
        invalid('Match value must be String, number, true, false, or null');
    }
  }
  if (matchers.length === 0) invalid('Empty arrays are not allowed');
  if (rules.length === 0) rules.push(new Map());
  for (const rule of rules) rule.set(name, matchers);
}

function onlyKey(object: JsonObject, reason = 'Only one key allowed in match expression'): void {
  if (object.members.length > 1) invalid(reason);
}

function compileExpression(expression: JsonObject): Matcher {
  const first = expression.members[0];
  if (!first) invalid('Match expression name not found');
  const [type, value] = first;
  let matcher: Matcher;
  switch (type) {
    case 'prefix':
    case 'suffix': {
      if (value.kind === 'object') {
        matcher = compileIgnoreCaseAffix(type, value);
        break;
      }
      if (value.kind !== 'string') invalid(`${type} match pattern must be a string`);
      matcher = type === 'prefix' ? { op: 'prefix', text: `"${value.value}` } : { op: 'suffix', text: `${value.value}"` };
      break;
    }
    case 'numeric':
      if (value.kind !== 'array') invalid('Value of numeric must be an array.');
      matcher = compileNumeric(value.items);
      onlyKey(expression, 'Too many elements in numeric expression');
      return matcher;
    case 'anything-but':
      matcher = compileAnythingBut(value);
      onlyKey(expression, 'Too many elements in numeric expression');
      return matcher;
    case 'exists':
      if (value.kind !== 'literal' || value.text === 'null') invalid('exists match pattern must be either true or false.');
      matcher = value.text === 'true' ? { op: 'exists' } : { op: 'absent' };
      break;
    case 'cidr':
      if (value.kind !== 'string') invalid('prefix match pattern must be a string');
      matcher = cidrRange(value.value);
      break;
    case 'equals-ignore-case':
      if (value.kind !== 'string') invalid('equals-ignore-case match pattern must be a string');
      matcher = { op: 'equals-ignore-case', text: quote(value.value), choices: caseChoices(quote(value.value)) };
      break;
    case 'wildcard':
      if (value.kind !== 'string') invalid('wildcard match pattern must be a string');
      matcher = { op: 'wildcard', source: value.value, segments: wildcardSegments(quote(value.value)) };
      break;
    default:
      invalid(`Unrecognized match type ${type}`);
  }
  onlyKey(expression);
  return matcher;
}

function compileIgnoreCaseAffix(type: 'prefix' | 'suffix', inner: JsonObject): Matcher {
  const label = type === 'prefix' ? 'Prefix' : 'Suffix';
  const first = inner.members[0];
  if (!first) invalid(`${label} expression name not found`);
  const [op, value] = first;
  if (op !== 'equals-ignore-case') invalid(`Unsupported ${type} pattern: ${op}`);
  if (value.kind !== 'string') invalid('equals-ignore-case match pattern must be a string');
  onlyKey(inner);
  const text = type === 'prefix' ? `"${value.value}` : `${value.value}"`;
  return { op: type === 'prefix' ? 'prefix-ignore-case' : 'suffix-ignore-case', text, choices: caseChoices(text) };
}

function comparableOperand(node: JsonNode & { kind: 'number' }): number {
  try {
    return patternComparable(node.text);
  } catch (error) {
    if (error instanceof NumberNotComparableError) invalid(error.message);
    throw error;
  }
}

function compileNumeric(items: readonly JsonNode[]): Matcher {
  const [operatorNode, operandNode] = items;
  if (operatorNode?.kind !== 'string') invalid(`Invalid member in numeric match: ${tokenText(operatorNode)}`);
  const operator = operatorNode.value;
  if (!['=', '>=', '>', '<=', '<'].includes(operator)) invalid(`Unrecognized numeric range operator: ${operator}`);
  if (operandNode?.kind !== 'number') invalid(`Value of ${operator === '=' ? 'equals' : operator} must be numeric`);
  if (operator === '=' || operator === '<' || operator === '<=') {
    if (items.length > 2) invalid('Too many elements in numeric expression');
    const value = comparableOperand(operandNode);
    if (operator === '=') return { op: 'numeric-equals', value };
    return { op: 'numeric-range', bottom: RANGE_FLOOR, openBottom: false, top: value, openTop: operator === '<' };
  }
  const openBottom = operator === '>';
  if (items.length === 2) {
    return { op: 'numeric-range', bottom: comparableOperand(operandNode), openBottom, top: RANGE_CEILING, openTop: false };
  }
  const upperNode = items[2];
  if (upperNode?.kind !== 'string') invalid(`Bad value in numeric range: ${tokenText(upperNode)}`);
  const upper = upperNode.value;
  if (upper !== '<' && upper !== '<=') invalid(`Bad numeric range operator: ${upper}`);
  const topNode = items[3];
  if (topNode?.kind !== 'number') invalid(`Value of ${upper} must be numeric`);
  if (items.length > 4) invalid('Too many terms in numeric range expression');
  const bottom = comparableOperand(operandNode);
  const top = comparableOperand(topNode);
  if (bottom >= top) invalid('Bottom must be less than top');
  return { op: 'numeric-range', bottom, openBottom, top, openTop: upper === '<' };
}

type AnythingButKind = 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

function compileAnythingBut(value: JsonNode): Matcher {
  let kind: AnythingButKind = 'plain';
  let operand = value;
  if (value.kind === 'object') {
    const first = value.members[0];
    if (!first) invalid('Anything-But expression name not found');
    const [op, inner] = first;
    if (op !== 'equals-ignore-case' && op !== 'prefix' && op !== 'suffix' && op !== 'wildcard') {
      invalid(`Unsupported anything-but pattern: ${op}`);
    }
    kind = op;
    operand = inner;
  }
  if (operand.kind !== 'array' && operand.kind !== 'string' && operand.kind !== 'number') {
    invalid('Value of anything-but must be an array or single string/number value.');
  }
  const matcher = kind === 'plain' ? compilePlainAnythingBut(operand) : compileAnythingButSet(kind, operand);
  if (value.kind === 'object') onlyKey(value, 'Too many elements in numeric expression');
  return matcher;
}

function compilePlainAnythingBut(operand: JsonNode): Matcher {
  const items = operand.kind === 'array' ? operand.items : [operand];
  const texts: string[] = [];
  const values: number[] = [];
  for (const item of items) {
    if (item.kind === 'string') texts.push(quote(item.value));
    else if (item.kind === 'number') values.push(comparableOperand(item));
    else invalid('Inside anything but list, start|null|boolean is not supported.');
  }
  if ((texts.length > 0) === (values.length > 0)) {
    invalid('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return values.length > 0 ? { op: 'anything-but-numeric', values } : { op: 'anything-but', texts };
}

function compileAnythingButSet(kind: Exclude<AnythingButKind, 'plain'>, operand: JsonNode): Matcher {
  const items = operand.kind === 'array' ? operand.items : [operand];
  const texts: string[] = [];
  for (const item of items) {
    if (item.kind !== 'string') {
      if (kind === 'equals-ignore-case') invalid('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      if (kind === 'wildcard') invalid('wildcard match pattern must be a string');
      invalid('prefix/suffix match pattern must be a string');
    }
    if ((kind === 'prefix' || kind === 'suffix') && item.value === '') invalid('Null prefix/suffix not allowed');
    texts.push(item.value);
  }
  switch (kind) {
    case 'equals-ignore-case': return { op: 'anything-but-ignore-case', choices: texts.map((t) => caseChoices(quote(t))) };
    case 'prefix': return { op: 'anything-but-prefix', texts: texts.map((t) => `"${t}`) };
    case 'suffix': return { op: 'anything-but-suffix', texts: texts.map((t) => `${t}"`) };
    case 'wildcard': return { op: 'anything-but-wildcard', patterns: texts.map((t) => wildcardSegments(quote(t))) };
  }
}

function cidrRange(text: string): Matcher {
  // Java's String.split drops trailing empty strings, so "10.0.0.0/" has no mask part at all.
  const parts = text === '' ? [''] : text.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length !== 2) invalid("Malformed CIDR, one '/' required");
  const [address, maskText] = parts as [string, string];
  if (!/^[+-]?\d+$/.test(maskText) || !Number.isSafeInteger(Number(maskText)) || Math.abs(Number(maskText)) > 2 ** 31 - 1) {
    invalid('Malformed CIDR, mask bits must be an integer');
  }
  const maskBits = Number(maskText);
  if (maskBits < 0) invalid('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) invalid(`Nonstandard IP address: ${address}`);
  const base = ipBytes(address);
  if (!base) invalid(`Invalid IP address: ${address}`);
  // event-ruler's own limits: a single address is written as a plain string, not as /32 or /128.
  if (base.length === 4 && maskBits > 31) invalid('IPv4 mask bits must be < 32');
  if (base.length === 16 && maskBits > 127) invalid('IPv6 mask bits must be < 128');
  let hostBits = base.length * 8 - maskBits;
  const top = [...base];
  for (let i = top.length - 1; i >= 0; i--, hostBits -= 8) {
    if (hostBits >= 8) top[i] = 0xff;
    else if (hostBits > 0) top[i] = top[i]! | ((1 << hostBits) - 1);
  }
  // The lower bound is the address as written, not the masked network address, as in event-ruler.
  return { op: 'ip-range', bottom: hexOf(base), top: hexOf(top) };
}
