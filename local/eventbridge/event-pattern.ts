/**
 * EventBridge event-pattern matching with AWS semantics.
 *
 * EventBridge matches with aws/event-ruler; this module follows that engine's observable behaviour (including its
 * quirks, such as dot-joined field paths and array-consistent matching) and is checked against outcomes recorded
 * from real AWS in shared/conformance/eventbridge-patterns.json.
 */

/** Thrown where AWS answers PutRule/TestEventPattern with InvalidEventPatternException. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  /** AWS's reason text, without the "Event pattern is not valid." preamble. */
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

/** Thrown where AWS answers TestEventPattern with ValidationException: the event itself is unusable. */
export class InvalidEventError extends Error {
  override readonly name = 'ValidationException';
  readonly reason: string;

  constructor(reason: string) {
    super('Parameter Event is not valid.');
    this.reason = reason;
  }
}

/** A validated pattern, ready to match events. */
export interface CompiledEventPattern {
  readonly patternText: string;
  /** Matches the event given as JSON text, exactly as EventBridge would see it (number lexemes and duplicate keys included). */
  matches(eventText: string): boolean;
  /** Convenience for in-memory events: serialises with JSON.stringify, so number formatting is JavaScript's. */
  matchesEvent(event: unknown): boolean;
}

/**
 * Parses and validates an event pattern, rejecting everything AWS rejects at PutRule time.
 * @throws InvalidEventPatternError
 */
export function compileEventPattern(patternText: string): CompiledEventPattern {
  let root: JsonNode;
  try {
    root = parseJson(patternText);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InvalidEventPatternError(error.message);
    throw error;
  }
  if (root.kind !== 'object') invalid('Filter is not an object');
  const branches = buildBranches(compileRules(root));
  return new EventPattern(patternText, branches);
}

/**
 * The envelope checks TestEventPattern applies before matching: JSON object with the mandatory envelope fields.
 * Their values are not type-checked (AWS accepts a list as detail-type).
 * @throws InvalidEventError
 */
export function validateEvent(eventText: string): void {
  const root = parseEvent(eventText);
  const present = new Set(root.members.map(([name]) => name));
  const missing = MANDATORY_EVENT_FIELDS.filter((field) => !present.has(field));
  if (missing.length > 0) throw new InvalidEventError(`missing mandatory field(s): ${missing.join(', ')}`);
}

/**
 * AWS TestEventPattern: pattern validation, event validation, then the match.
 * @throws InvalidEventPatternError | InvalidEventError
 */
export function testEventPattern(patternText: string, eventText: string): boolean {
  const pattern = compileEventPattern(patternText);
  validateEvent(eventText);
  return pattern.matches(eventText);
}

const MANDATORY_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

// ---------------------------------------------------------------------------------------------------------------
// JSON: a strict RFC 8259 reader that, unlike JSON.parse, keeps number lexemes and duplicate keys, because
// EventBridge compares number text as well as value and acts on every occurrence of a repeated key.

type JsonNode =
  | { readonly kind: 'object'; readonly members: ReadonlyArray<readonly [string, JsonNode]> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: 'true' | 'false' | 'null' };
type JsonObject = Extract<JsonNode, { kind: 'object' }>;

class JsonSyntaxError extends Error {}

const NUMBER_LEXEME = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;

function parseJson(text: string): JsonNode {
  let pos = 0;
  const fail = (message: string): never => {
    throw new JsonSyntaxError(message);
  };
  const describe = (index: number): string =>
    index >= text.length ? 'end-of-input' : `'${text[index]}' (code ${text.charCodeAt(index)})`;
  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      pos++;
    }
  };

  const readString = (): string => {
    pos++; // opening quote
    let out = '';
    let runStart = pos;
    for (;;) {
      if (pos >= text.length) fail('Unexpected end-of-input: was expecting closing quote for a string value');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(`Illegal unquoted character (code ${c}): has to be escaped using backslash to be included in string value`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      const escape = text[pos + 1];
      pos += 2;
      switch (escape) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Unexpected character in unicode escape: expected a hex-digit');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          fail(`Unrecognized character escape ${escape === undefined ? 'end-of-input' : `'${escape}'`}`);
      }
      runStart = pos;
    }
  };

  const readValue = (): JsonNode => {
    skipWhitespace();
    if (pos >= text.length) fail('Unexpected end-of-input: expected a JSON value');
    const c = text[pos]!;
    if (c === '{') return readObject();
    if (c === '[') return readArray();
    if (c === '"') return { kind: 'string', value: readString() };
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_LEXEME.lastIndex = pos;
      const match = NUMBER_LEXEME.exec(text);
      if (!match) fail(`Unexpected character (${describe(pos + 1)}) in numeric value`);
      const lexeme = match![0];
      const after = text[pos + lexeme.length];
      if (after !== undefined && /[0-9.eE+\-]/.test(after)) fail(`Invalid numeric value starting with '${lexeme}'`);
      pos += lexeme.length;
      return { kind: 'number', text: lexeme };
    }
    if (IDENTIFIER_CHAR.test(c)) {
      // Reads the whole bad token, as Jackson does, so the reason names it.
      const start = pos;
      while (pos < text.length && IDENTIFIER_CHAR.test(text[pos]!)) pos++;
      const token = text.slice(start, pos);
      if (token === 'true' || token === 'false' || token === 'null') return { kind: 'literal', text: token };
      fail(
        `Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
      );
    }
    return fail(
      `Unexpected character (${describe(pos)}): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
    );
  };

  const readObject = (): JsonNode => {
    pos++;
    const members: Array<readonly [string, JsonNode]> = [];
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return { kind: 'object', members };
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail(`Unexpected character (${describe(pos)}): was expecting double-quote to start field name`);
      const name = readString();
      skipWhitespace();
      if (text[pos] !== ':') fail(`Unexpected character (${describe(pos)}): was expecting a colon to separate field name and value`);
      pos++;
      members.push([name, readValue()]);
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', members };
      }
      fail(`Unexpected character (${describe(pos)}): was expecting comma to separate Object entries`);
    }
  };

  const readArray = (): JsonNode => {
    pos++;
    const items: JsonNode[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(readValue());
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
      }
      fail(`Unexpected character (${describe(pos)}): was expecting comma to separate Array entries`);
    }
  };

  const root = readValue();
  skipWhitespace();
  if (pos < text.length) fail(`Unexpected character (${describe(pos)}): expected end-of-input after the JSON value`);
  return root;
}

// Jackson's getText() for a token, which is what event-ruler quotes in its reasons.
function tokenText(node: JsonNode | undefined): string {
  if (node === undefined) return ']';
  switch (node.kind) {
    case 'object': return '{';
    case 'array': return '[';
    case 'string': return node.value;
    case 'number':
    case 'literal': return node.text;
  }
}

function invalid(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers. Numeric matching is limited to ±5e9 with six decimal places. Pattern operands must fit exactly (AWS
// rejects the pattern otherwise); event values are rounded to six places, and ones out of range only match by text.

const SCALE = 1_000_000;
const FIVE_BILLION = 5e9;
const FIVE_BILLION_SCALED = 5_000_000_000_000_000n;
const RANGE_FLOOR = -Number(FIVE_BILLION_SCALED);
const RANGE_CEILING = Number(FIVE_BILLION_SCALED);

class NumberNotComparableError extends Error {}

// A pattern number as an integer count of millionths, computed exactly from its lexeme.
function patternComparable(lexeme: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!match) throw new NumberNotComparableError(`Cannot compare number : ${lexeme}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = (whole! + fraction).replace(/^0+/, '');
  if (digits === '') return 0;
  let exponent = Number(exponentText) - fraction.length;
  const trailingZeros = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailingZeros);
  exponent += trailingZeros;
  if (exponent < -6) throw new NumberNotComparableError('Only values upto 6 decimals are supported');
  const outOfRange = `Value must be between ${javaDouble(-FIVE_BILLION)} and ${javaDouble(FIVE_BILLION)}, inclusive`;
  if (digits.length + exponent + 6 > 17) throw new NumberNotComparableError(outOfRange);
  const scaled = BigInt(digits) * 10n ** BigInt(exponent + 6);
  if (scaled > FIVE_BILLION_SCALED) throw new NumberNotComparableError(outOfRange);
  return sign === '-' ? -Number(scaled) : Number(scaled);
}

function javaDouble(value: number): string {
  return value.toExponential().replace('e+', 'E').replace(/^(-?\d)E/, '$1.0E');
}

// An event number as event-ruler compares it: parsed as a double, then rounded to millionths.
function eventComparable(lexeme: string): number | undefined {
  const value = Number(lexeme);
  if (!(Math.abs(value) <= FIVE_BILLION)) return undefined;
  return Math.round(SCALE * value);
}

// ---------------------------------------------------------------------------------------------------------------
// IP addresses, parsed as java.net.InetAddress does for the literals event-ruler lets through to it.

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

function parseIpv4(text: string): number[] | undefined {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    // Modern JDKs refuse leading zeros as ambiguous (octal or decimal?).
    if (part.length > 3 || (part.length > 1 && part.startsWith('0'))) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(Number.parseInt(group, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = groups.flatMap((group) => [group >> 8, group & 0xff]);
  // InetAddress hands back IPv4-mapped addresses (::ffff:a.b.c.d) as plain IPv4.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  return bytes;
}

function ipBytes(text: string): number[] | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function hexOf(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
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

// ---------------------------------------------------------------------------------------------------------------
// Value matchers. Event values are compared in event-ruler's text form: strings with their quotes, everything else
// as its JSON lexeme; prefixes and suffixes include the adjoining quote, which is what keeps them off numbers.

type Matcher =
  | { readonly op: 'exact'; readonly text: string }
  | { readonly op: 'numeric-equals'; readonly value: number }
  | { readonly op: 'numeric-range'; readonly bottom: number; readonly openBottom: boolean; readonly top: number; readonly openTop: boolean }
  | { readonly op: 'ip-range'; readonly bottom: string; readonly top: string }
  | { readonly op: 'prefix' | 'suffix'; readonly text: string }
  | { readonly op: 'prefix-ignore-case' | 'suffix-ignore-case' | 'equals-ignore-case'; readonly text: string; readonly choices: CaseChoices }
  | { readonly op: 'wildcard'; readonly source: string; readonly segments: readonly string[] }
  | { readonly op: 'anything-but'; readonly texts: readonly string[] }
  | { readonly op: 'anything-but-numeric'; readonly values: readonly number[] }
  | { readonly op: 'anything-but-prefix' | 'anything-but-suffix'; readonly texts: readonly string[] }
  | { readonly op: 'anything-but-ignore-case'; readonly choices: readonly CaseChoices[] }
  | { readonly op: 'anything-but-wildcard'; readonly patterns: readonly (readonly string[])[] }
  | { readonly op: 'exists' }
  | { readonly op: 'absent' };

// For each UTF-16 unit of the pattern: its lower- and upper-case forms (not the unit itself, as in event-ruler).
type CaseChoices = ReadonlyArray<readonly string[]>;

function caseChoices(text: string): CaseChoices {
  const choices: string[][] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]!;
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    choices.push(lower === upper ? [lower] : [lower, upper]);
  }
  return choices;
}

// The positions of `value` at which `choices`, matched from `start`, can end.
function caseEnds(choices: CaseChoices, value: string, start: number): Set<number> {
  let positions = new Set([start]);
  for (const options of choices) {
    const next = new Set<number>();
    for (const position of positions) {
      for (const option of options) if (value.startsWith(option, position)) next.add(position + option.length);
    }
    if (next.size === 0) return next;
    positions = next;
  }
  return positions;
}

const equalsIgnoringCase = (choices: CaseChoices, value: string): boolean => caseEnds(choices, value, 0).has(value.length);
const startsIgnoringCase = (choices: CaseChoices, value: string): boolean => caseEnds(choices, value, 0).size > 0;
function endsIgnoringCase(choices: CaseChoices, value: string): boolean {
  for (let start = value.length; start >= 0; start--) if (caseEnds(choices, value, start).has(value.length)) return true;
  return false;
}

// Validates a quoted wildcard pattern as event-ruler does and splits it into the literal runs between stars.
function wildcardSegments(quoted: string): string[] {
  const bytes = new TextEncoder().encode(quoted);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x2a && bytes[i + 1] === 0x2a) invalid(`Consecutive wildcard characters at pos ${i}`);
    if (bytes[i] === 0x5c) {
      if (bytes[i + 1] !== 0x2a && bytes[i + 1] !== 0x5c) invalid(`Invalid escape character at pos ${i}`);
      i++;
    }
  }
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < quoted.length; i++) {
    const c = quoted[i]!;
    if (c === '\\') current += quoted[++i]!;
    else if (c === '*') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments;
}

function wildcardMatches(segments: readonly string[], value: string): boolean {
  if (segments.length === 1) return value === segments[0];
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // Leftmost placement of each middle run is optimal when the only metacharacter is '*'.
  let position = first.length;
  const limit = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const found = value.indexOf(segments[i]!, position);
    if (found < 0 || found + segments[i]!.length > limit) return false;
    position = found + segments[i]!.length;
  }
  return true;
}

// An event value as a field's matchers see it; see viewOf.
type ValueView =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'ip'; readonly hex: string };

function test(matcher: Matcher, view: ValueView): boolean {
  const text = view.kind === 'text' ? view.text : undefined;
  switch (matcher.op) {
    case 'exact': return text === matcher.text;
    case 'numeric-equals': return view.kind === 'number' && view.value === matcher.value;
    case 'numeric-range':
      return (
        view.kind === 'number' &&
        (matcher.openBottom ? view.value > matcher.bottom : view.value >= matcher.bottom) &&
        (matcher.openTop ? view.value < matcher.top : view.value <= matcher.top)
      );
    case 'ip-range':
      return (
        view.kind === 'ip' && view.hex.length === matcher.bottom.length && view.hex >= matcher.bottom && view.hex <= matcher.top
      );
    case 'prefix': return text !== undefined && text.startsWith(matcher.text);
    case 'suffix': return text !== undefined && text.endsWith(matcher.text);
    case 'prefix-ignore-case': return text !== undefined && startsIgnoringCase(matcher.choices, text);
    case 'suffix-ignore-case': return text !== undefined && endsIgnoringCase(matcher.choices, text);
    case 'equals-ignore-case': return text !== undefined && equalsIgnoringCase(matcher.choices, text);
    case 'wildcard': return text !== undefined && wildcardMatches(matcher.segments, text);
    // The anything-but family matches every present value it cannot rule out, whatever its type.
    case 'anything-but': return text === undefined || !matcher.texts.includes(text);
    case 'anything-but-numeric': return view.kind !== 'number' || !matcher.values.includes(view.value);
    case 'anything-but-prefix': return text === undefined || !matcher.texts.some((p) => text.startsWith(p));
    case 'anything-but-suffix': return text === undefined || !matcher.texts.some((s) => text.endsWith(s));
    case 'anything-but-ignore-case': return text === undefined || !matcher.choices.some((c) => equalsIgnoringCase(c, text));
    case 'anything-but-wildcard': return text === undefined || !matcher.patterns.some((s) => wildcardMatches(s, text));
    case 'exists': return true;
    case 'absent': return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pattern compilation, following event-ruler's JsonRuleCompiler: a streaming walk in document order, so a repeated
// leaf key replaces the earlier one and repeated object keys merge; "$or" forks the rule into branches.

type Branch = Map<string, Matcher[]>;

const OR = '$or';
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after',
  'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

function compileRules(root: JsonObject): Branch[] {
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

const quote = (text: string): string => `"${text}"`;

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

// ---------------------------------------------------------------------------------------------------------------
// Branch layout. Within a branch, fields are matched in sorted key order (as event-ruler's state machine walks
// them), which decides what an "exists: false" sees in array-consistent matching. Fields that event-ruler would
// route through the same value machine share its number/IP conversion of event values and its wildcard budget.

interface FieldTest {
  readonly key: string;
  readonly matchers: readonly Matcher[];
  readonly acceptsAbsence: boolean;
  readonly machine: ValueMachine;
}

interface ValueMachine {
  numeric: boolean;
  ip: boolean;
  readonly wildcards: Set<string>;
}

const MAX_WILDCARD_COMPLEXITY = 10;

function buildBranches(rules: readonly Branch[]): FieldTest[][] {
  const machines = new Map<string, ValueMachine>();
  const branches = rules.map((rule) => {
    const keys = [...rule.keys()].sort();
    const route: unknown[] = [];
    return keys.map((key) => {
      const matchers = rule.get(key)!;
      const id = JSON.stringify([route, key]);
      let machine = machines.get(id);
      if (!machine) {
        machine = { numeric: false, ip: false, wildcards: new Set() };
        machines.set(id, machine);
      }
      for (const matcher of matchers) {
        if (matcher.op === 'numeric-equals' || matcher.op === 'numeric-range' || matcher.op === 'anything-but-numeric') {
          machine.numeric = true;
        } else if (matcher.op === 'ip-range') machine.ip = true;
        else if (matcher.op === 'wildcard') machine.wildcards.add(matcher.source);
      }
      route.push([key, matchers]);
      return { key, matchers, acceptsAbsence: matchers.some((m) => m.op === 'absent'), machine };
    });
  });
  for (const machine of machines.values()) {
    if (wildcardComplexity([...machine.wildcards]) > MAX_WILDCARD_COMPLEXITY) {
      invalid(
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      );
    }
  }
  return branches;
}

// The most wildcard-pattern positions one event value can keep alive at once: the measure event-ruler's
// MachineComplexityEvaluator puts on a field's value machine. The limit AWS applies is calibrated on recorded
// outcomes ("*:*:*:*:*:event-bus/*" and four "*.ext" patterns rejected; two "*/dir/*" patterns accepted).
function wildcardComplexity(patterns: readonly string[]): number {
  // NFA over UTF-8 bytes of each quoted pattern: state i holds token i; a star state loops and may be skipped.
  const STAR = -1;
  const END = -2;
  const encoder = new TextEncoder();
  const tokens: number[] = [];
  const starts: number[] = [];
  for (const source of patterns) {
    starts.push(tokens.length);
    const quoted = quote(source);
    for (let i = 0; i < quoted.length; i++) {
      const c = quoted[i]!;
      if (c === '*') tokens.push(STAR);
      else tokens.push(...encoder.encode(c === '\\' ? quoted[++i]! : c));
    }
    tokens.push(END);
  }
  const close = (ids: Set<number>): Set<number> => {
    for (const id of ids) if (tokens[id] === STAR) ids.add(id + 1);
    return ids;
  };
  const alphabet = new Set(tokens.filter((token) => token >= 0));
  alphabet.add(256); // stands for every byte no pattern names

  const seen = new Set<string>();
  const queue = [close(new Set(starts))];
  let maximum = 0;
  while (queue.length > 0) {
    const active = queue.pop()!;
    for (const symbol of alphabet) {
      const next = new Set<number>();
      for (const id of active) {
        if (tokens[id] === STAR) next.add(id);
        else if (tokens[id] === symbol) next.add(id + 1);
      }
      if (next.size === 0) continue;
      close(next);
      maximum = Math.max(maximum, next.size);
      // Past the limit the exact figure no longer matters; the state cap guards against pathological patterns.
      if (maximum > MAX_WILDCARD_COMPLEXITY || seen.size > 50_000) return Math.max(maximum, MAX_WILDCARD_COMPLEXITY + 1);
      const key = [...next].sort((a, b) => a - b).join(',');
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
  }
  return maximum;
}

// ---------------------------------------------------------------------------------------------------------------
// Events, flattened as event-ruler does: one field per leaf value, named by the dot-joined path, arrays crushed
// out; each field remembers which element of which array it came from, so a match can't mix array elements.

interface EventField {
  // event-ruler's text form: strings quoted, everything else its JSON lexeme.
  readonly text: string;
  readonly isNumber: boolean;
  readonly membership: Membership;
}

type Membership = ReadonlyMap<number, number>;
const NO_MEMBERSHIP: Membership = new Map();

function parseEvent(eventText: string): JsonObject {
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

function flattenEvent(root: JsonObject): Map<string, EventField[]> {
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

function consistent(a: Membership, b: Membership): boolean {
  for (const [array, index] of b) {
    const other = a.get(array);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}

function merge(a: Membership, b: Membership): Membership {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const merged = new Map(a);
  for (const [array, index] of b) merged.set(array, index);
  return merged;
}

// Numbers (and IP literals) are converted before matching only in machines that compare them that way.
function viewOf(field: EventField, machine: ValueMachine): ValueView {
  if (machine.numeric) {
    if (field.isNumber) {
      const value = eventComparable(field.text);
      if (value !== undefined) return { kind: 'number', value };
    }
  } else if (machine.ip && field.text.startsWith('"')) {
    const raw = field.text.slice(1, -1);
    const bytes = looksLikeIp(raw) ? ipBytes(raw) : undefined;
    if (bytes) return { kind: 'ip', hex: hexOf(bytes) };
  }
  return { kind: 'text', text: field.text };
}

function matchesBranch(branch: readonly FieldTest[], fields: ReadonlyMap<string, EventField[]>): boolean {
  const visit = (index: number, membership: Membership): boolean => {
    if (index === branch.length) return true;
    const { key, matchers, acceptsAbsence, machine } = branch[index]!;
    const candidates = fields.get(key) ?? [];
    if (acceptsAbsence && !candidates.some((field) => consistent(membership, field.membership))) {
      if (visit(index + 1, membership)) return true;
    }
    for (const field of candidates) {
      if (!consistent(membership, field.membership)) continue;
      const view = viewOf(field, machine);
      if (matchers.some((matcher) => test(matcher, view)) && visit(index + 1, merge(membership, field.membership))) {
        return true;
      }
    }
    return false;
  };
  return visit(0, NO_MEMBERSHIP);
}

class EventPattern implements CompiledEventPattern {
  readonly patternText: string;
  readonly #branches: readonly (readonly FieldTest[])[];

  constructor(patternText: string, branches: readonly (readonly FieldTest[])[]) {
    this.patternText = patternText;
    this.#branches = branches;
  }

  matches(eventText: string): boolean {
    const fields = flattenEvent(parseEvent(eventText));
    return this.#branches.some((branch) => matchesBranch(branch, fields));
  }

  matchesEvent(event: unknown): boolean {
    const text = JSON.stringify(event) as string | undefined;
    if (text === undefined) throw new InvalidEventError('Event must be a JSON object');
    return this.matches(text);
  }
}
