/**
 * Value matchers: what a pattern can say about one event value. Event values are compared in event-ruler's text form: strings with their quotes, everything else
 * as its JSON lexeme; prefixes and suffixes include the adjoining quote, which is what keeps them off numbers.
 */

import { invalid } from './errors.ts';

export type Matcher =
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
export type CaseChoices = ReadonlyArray<readonly string[]>;

export function caseChoices(text: string): CaseChoices {
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
export function wildcardSegments(quoted: string): string[] {
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
export type ValueView =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'ip'; readonly hex: string };

/** Whether `matcher` accepts the event value seen as `view`. */
export function accepts(matcher: Matcher, view: ValueView): boolean {
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

export const quote = (text: string): string => `"${text}"`;
