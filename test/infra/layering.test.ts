import { describe, expect, it } from 'vitest';
import { importCycles, importsUnder } from '../support/imports.ts';

describe('the deployable app', () => {
  it('imports nothing from the local cloud', () => {
    const fromLocal = importsUnder('lib').filter(({ target }) => target?.startsWith('local/'));
    expect(fromLocal).toEqual([]);
  });
});

describe('the functions', () => {
  it('have no import cycle, type-only imports included', () => {
    expect(importCycles('functions')).toEqual([]);
  });
});
