import { describe, expect, it } from 'vitest';
import { importsUnder } from '../support/imports.ts';

const PACKAGE = 'packages/event-pattern';

describe('the event-pattern package', () => {
  it('imports only its own files, so it can be published on its own', () => {
    const outside = importsUnder(PACKAGE).filter(({ target }) => !target?.startsWith(`${PACKAGE}/`));
    expect(outside).toEqual([]);
  });
});
