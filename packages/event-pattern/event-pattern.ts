/**
 * The compiled pattern and the entry points: compile (PutRule's validation), validate an event (TestEventPattern's
 * envelope checks) and match.
 */

import { buildBranches, type FieldTest, type ValueMachine } from './branch-layout.ts';
import { compileRules } from './compiler.ts';
import { InvalidEventError, InvalidEventPatternError, invalid } from './errors.ts';
import { consistent, type EventField, flattenEvent, merge, NO_MEMBERSHIP, parseEvent, type Membership } from './event-fields.ts';
import { hexOf, ipBytes, looksLikeIp } from './ip-addresses.ts';
import { type JsonNode, JsonSyntaxError, parseJson } from './json-lexer.ts';
import { accepts, type ValueView } from './matchers.ts';
import { eventComparable } from './numbers.ts';

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
      if (matchers.some((matcher) => accepts(matcher, view)) && visit(index + 1, merge(membership, field.membership))) {
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
