/**
 * Request bodies as text: bytes that must be UTF-8, and JSON that must not repeat a key.
 * `JSON.parse` keeps the last of two equal keys, which hides the client bug that sent both.
 */

/** The body as text, or undefined when its bytes are not UTF-8 (or a gateway already replaced some with U+FFFD). */
export function utf8Text(bytes: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\uFFFD') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** `$.a.b[0]["odd key"]`: the JSONPath of a member or element. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

interface Container {
  path: string;
  /** Keys seen so far, for an object; undefined for an array. */
  keys?: Set<string>;
  expectingKey: boolean;
  member: string | number;
}

/**
 * The first repeated key of `text`, which must be valid JSON (parse it first), with the path
 * of the object that repeats it; undefined when no object repeats a key.
 */
export function firstDuplicateKey(text: string): { path: string; key: string } | undefined {
  const stack: Container[] = [];
  const pathOfNext = () => {
    const parent = stack.at(-1);
    return parent ? childPath(parent.path, parent.member) : '$';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack.at(-1);
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys && top.expectingKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { path: top.path, key };
        top.keys.add(key);
        top.member = key;
        top.expectingKey = false;
      }
      i = end;
    } else if (char === '{') stack.push({ path: pathOfNext(), keys: new Set(), expectingKey: true, member: '' });
    else if (char === '[') stack.push({ path: pathOfNext(), expectingKey: false, member: 0 });
    else if (char === '}' || char === ']') stack.pop();
    else if (char === ',' && top) {
      if (top.keys) top.expectingKey = true;
      else top.member = (top.member as number) + 1;
    }
  }
  return undefined;
}
