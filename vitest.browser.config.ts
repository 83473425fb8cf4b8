import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:browser`: the console driven in Debian's Chromium (needs `/usr/bin/chromium`,
 * `apt-get install -y chromium`). Separate from `npm test`, which needs no browser. Built from
 * the main config's settings but not merged with it: merging would add its `include` to this one.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/browser/**/*.browser.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-browser.json' }]],
    testTimeout: 180_000,
  },
});
