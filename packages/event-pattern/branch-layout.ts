/**
 * Branch layout: a compiled rule as the tests each event runs through. Within a branch, fields are matched in sorted key order (as event-ruler's state machine walks
 * them), which decides what an "exists: false" sees in array-consistent matching. Fields that event-ruler would
 * route through the same value machine share its number/IP conversion of event values and its wildcard budget.
 */

import { invalid } from './errors.ts';
import type { Branch } from './compiler.ts';
import { type Matcher, quote } from './matchers.ts';

export interface FieldTest {
  readonly key: string;
  readonly matchers: readonly Matcher[];
  readonly acceptsAbsence: boolean;
  readonly machine: ValueMachine;
}

export interface ValueMachine {
  numeric: boolean;
  ip: boolean;
  readonly wildcards: Set<string>;
}

const MAX_WILDCARD_COMPLEXITY = 10;

export function buildBranches(rules: readonly Branch[]): FieldTest[][] {
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
