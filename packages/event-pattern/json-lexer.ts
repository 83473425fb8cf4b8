/**
 * The JSON lexer: a strict RFC 8259 reader that, unlike JSON.parse, keeps number lexemes and duplicate keys, because
 * EventBridge compares number text as well as value and acts on every occurrence of a repeated key.
 */

export type JsonNode =
  | { readonly kind: 'object'; readonly members: ReadonlyArray<readonly [string, JsonNode]> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: 'true' | 'false' | 'null' };
export type JsonObject = Extract<JsonNode, { kind: 'object' }>;

export class JsonSyntaxError extends Error {}

const NUMBER_LEXEME = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u;

export function parseJson(text: string): JsonNode {
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
export function tokenText(node: JsonNode | undefined): string {
  if (node === undefined) return ']';
  switch (node.kind) {
    case 'object': return '{';
    case 'array': return '[';
    case 'string': return node.value;
    case 'number':
    case 'literal': return node.text;
  }
}
