import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventError,
  InvalidEventPatternError,
  validateEvent,
} from '../../packages/event-pattern/index.ts';

// One outcome recorded against real AWS; see test/fixtures/conformance/README.md.
interface ConformanceCase {
  name: string;
  patternText: string;
  eventText: string;
  expected: boolean | 'InvalidEventPatternException' | 'ValidationException';
  source: 'aws-snapshot' | 'aws-validated-assertion' | 'aws-snapshot-putevents';
  // AWS's error message, where one was recorded.
  awsMessage?: string;
}

const DATA = new URL('../fixtures/conformance/eventbridge-patterns.json', import.meta.url);
const cases = JSON.parse(readFileSync(DATA, 'utf8')) as ConformanceCase[];

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('EventBridge event patterns: outcomes recorded against AWS', () => {
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases)('$name', (testCase) => {
    const { patternText, eventText, expected, awsMessage } = testCase;

    if (expected === 'InvalidEventPatternException') {
      const error = thrown(() => compileEventPattern(patternText));
      expect(error).toBeInstanceOf(InvalidEventPatternError);
      if (awsMessage !== undefined) expect((error as Error).message).toBe(awsMessage);
      return;
    }

    // Everything below has a pattern AWS accepted, so it must compile whatever happens to the event.
    const pattern = compileEventPattern(patternText);

    if (expected === 'ValidationException') {
      const error = thrown(() => validateEvent(eventText));
      expect(error).toBeInstanceOf(InvalidEventError);
      if (awsMessage !== undefined) expect((error as Error).message).toBe(awsMessage);
      return;
    }

    expect(() => validateEvent(eventText)).not.toThrow();
    expect(pattern.matches(eventText)).toBe(expected);
  });
});
