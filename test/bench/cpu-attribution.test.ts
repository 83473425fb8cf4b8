/**
 * The CPU profile's attribution (bench/cpu-attribution.ts) on a small hand-made profile: each
 * sample's time goes to the first rule matching its stack, own-frame rules look at the leaf only,
 * the thread decides what node's HTTP internals are, and idle time is no component's.
 */
import { describe, expect, it } from 'vitest';
import { attributeProfile, emptyAttribution, functionLabel, relativeUrl, topFunctions, type CpuProfile, type ProfileNode } from '../../bench/cpu-attribution.ts';

const ROOT = 'file:///repo';
const node = (id: number, functionName: string, url: string, children: number[] = [], lineNumber = 0): ProfileNode => ({
  id,
  callFrame: { functionName, url, lineNumber },
  children,
});

/** One stack per leaf below (root); samples listed as [leaf id, microseconds]. */
function profile(samples: Array<[number, number]>): CpuProfile {
  const nodes = [
    node(1, '(root)', '', [2, 3, 4, 10, 20, 30, 40, 50, 60]),
    node(2, '(garbage collector)', ''),
    node(3, '(idle)', ''),
    // A handler calling the SDK, which calls a native JSON.stringify: the SDK's.
    node(4, 'handle', `${ROOT}/functions/api/place-order.ts`, [5, 7], 41),
    node(5, 'serializeAws_json', `${ROOT}/node_modules/@smithy/core/dist-cjs/index.js`, [6], 9),
    node(6, 'stringify', ''),
    // The handler's own work, zod included: the handler's.
    node(7, 'parse', `${ROOT}/node_modules/zod/v4/core/parse.js`, [8], 99),
    // The X-Ray SDK's async hook under the handler: tracing (own frame), not the handler.
    node(8, 'emitInitScript', 'node:internal/async_hooks', [9]),
    node(9, 'registerDestroyHook', ''),
    // The authorizer verifying with jose, which hashes with node:crypto: JWT, not crypto.
    node(10, 'authorize', `${ROOT}/local/apigateway/jwt-authorizer.ts`, [11]),
    node(11, 'jwtVerify', `${ROOT}/node_modules/jose/dist/node/esm/jwt/verify.js`, [12]),
    node(12, 'verify', 'node:internal/crypto/sig'),
    // node's HTTP server internals: the HTTP layer on the main thread, the SDK's sockets in a worker.
    node(20, 'parserOnHeadersComplete', 'node:_http_common'),
    // The local bus delivering to the ASL interpreter: the interpreter's.
    node(30, 'putEvents', `${ROOT}/local/eventbridge/local-event-bus.ts`, [31]),
    node(31, 'run', `${ROOT}/node_modules/aws-local-stepfunctions/build/main.node.esm.js`),
    // A frame named like an Object.prototype member is still JavaScript.
    node(40, 'toString', ''),
    // The relay's filter criteria use the event-pattern matcher: counted as matching.
    node(50, 'poll', `${ROOT}/local/dynamodb/stream-relay.ts`, [51]),
    node(51, 'matches', `${ROOT}/packages/event-pattern/index.ts`),
    node(60, 'onMessage', 'node:internal/worker/io'),
  ];
  // timeDeltas[i] is the time before sample i: sample i lasts timeDeltas[i + 1], the last one until endTime.
  const timeDeltas = [0, ...samples.slice(0, -1).map(([, micros]) => micros)];
  const total = samples.reduce((sum, [, micros]) => sum + micros, 0);
  return { nodes, startTime: 1_000, endTime: 1_000 + total, samples: samples.map(([id]) => id), timeDeltas };
}

const SAMPLES: Array<[number, number]> = [
  [2, 100],
  [3, 5_000],
  [6, 300],
  [7, 200],
  [9, 50],
  [12, 400],
  [20, 70],
  [31, 90],
  [40, 10],
  [51, 30],
  [60, 25],
  [7, 200],
];

describe('CPU attribution by component', () => {
  it('charges each sample to the first rule matching its stack, on the main thread', () => {
    const result = attributeProfile(profile(SAMPLES), 'main', ROOT);
    expect(result.byComponent).toEqual({
      'GC and program': 100,
      'SDK serialisation': 300,
      handlers: 400,
      'tracing context': 50,
      JWT: 400,
      'HTTP layer': 70,
      'ASL interpreter': 90,
      other: 10,
      'bus matching': 30,
      'worker messaging': 25,
    });
    expect(result.idle).toBe(5_000);
  });

  it("counts node's HTTP internals in a function's worker as its SDK's", () => {
    const result = attributeProfile(profile([[20, 70]]), 'worker', ROOT);
    expect(result.byComponent).toEqual({ 'SDK serialisation': 70 });
  });

  it('adds threads together and lists the top functions of a component by self time', () => {
    const both = emptyAttribution();
    attributeProfile(profile(SAMPLES), 'main', ROOT, both);
    attributeProfile(profile([[6, 1_000], [5, 20]]), 'worker', ROOT, both);
    expect(both.byComponent['SDK serialisation']).toBe(300 + 1_000 + 20);
    expect(topFunctions(both, 'SDK serialisation')).toEqual([
      { function: 'stringify (native)', micros: 1_300 },
      { function: 'serializeAws_json node_modules/@smithy/core/dist-cjs/index.js:10', micros: 20 },
    ]);
    expect(topFunctions(both, 'handlers', 1)).toEqual([{ function: 'parse node_modules/zod/v4/core/parse.js:100', micros: 400 }]);
  });

  it('ignores negative time deltas', () => {
    const odd = profile([[7, 100], [7, 100]]);
    odd.timeDeltas = [0, -50];
    odd.endTime = odd.startTime - 50 + 100;
    expect(attributeProfile(odd, 'main', ROOT).byComponent).toEqual({ handlers: 100 });
  });

  it('names files relative to the project, node_modules from the last one', () => {
    expect(relativeUrl(`${ROOT}/functions/api/place-order.ts`, ROOT)).toBe('functions/api/place-order.ts');
    expect(relativeUrl(`${ROOT}/node_modules/a/node_modules/jose/x.js`, `${ROOT}/`)).toBe('node_modules/jose/x.js');
    expect(relativeUrl('node:internal/crypto/sig', ROOT)).toBe('node:internal/crypto/sig');
    expect(functionLabel({ functionName: '', url: `${ROOT}/local/feed.ts`, lineNumber: 4 }, ROOT)).toBe('(anonymous) local/feed.ts:5');
  });
});
