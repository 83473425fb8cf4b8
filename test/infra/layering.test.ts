import { describe, expect, it } from 'vitest';
import { importsUnder } from '../support/imports.ts';

describe('the deployable app', () => {
  it('imports nothing from the local cloud', () => {
    const fromLocal = importsUnder('lib').filter(({ target }) => target?.startsWith('local/'));
    expect(fromLocal).toEqual([]);
  });
});
