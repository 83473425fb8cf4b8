/**
 * What `npm run bench:cold-start -- --contents N` lists (bench/cold-start.ts): each bundle's bytes by
 * package or by folder of our code, from esbuild's metafile, counting only modules with code in the output.
 */
import { describe, expect, it } from 'vitest';
import { bundleContents, contentGroup } from '../../bench/cold-start.ts';

describe('the contents of a bundle', () => {
  it('groups a dependency by its package, scoped or not, nested or not, and our code by its folder', () => {
    expect(contentGroup('node_modules/@smithy/core/dist-es/submodules/schema/TypeRegistry.js')).toBe('@smithy/core');
    expect(contentGroup('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(contentGroup('node_modules/@aws-sdk/lib-dynamodb/node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(contentGroup('functions/store/order-store.ts')).toBe('functions/store');
  });

  it('sums the output bytes per group, largest first, leaving out modules shaken to nothing', () => {
    const metafile = {
      outputs: {
        'index.mjs.map': { inputs: {} },
        'index.mjs': {
          inputs: {
            'node_modules/zod/v4/core/schemas.js': { bytesInOutput: 300 },
            'node_modules/zod/v4/classic/schemas.js': { bytesInOutput: 200 },
            'functions/store/order-store.ts': { bytesInOutput: 400 },
            'functions/domain/order.ts': { bytesInOutput: 0 },
          },
        },
      },
    };
    expect(bundleContents(JSON.stringify(metafile))).toEqual([
      { group: 'zod', bytes: 500 },
      { group: 'functions/store', bytes: 400 },
    ]);
  });
});
