/**
 * Deterministic interleavings: one actor's copy of the dependencies stops inside a store
 * call until the test releases it, so another actor can commit in between.
 */
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';

type Store = 'orders' | 'stock' | 'capacity' | 'tracking';

export interface Paused {
  /** The dependencies the paused actor uses. */
  deps: Dependencies;
  /** Resolves once the actor has stopped. */
  reached: Promise<void>;
  release(): void;
}

/**
 * `deps` whose `store.method` stops after its `call`-th call has answered and before the
 * caller sees the answer: the actor holds what it read while others write.
 */
export function pauseAfter(deps: Dependencies, store: Store, method: string, call = 1): Paused {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const target = deps[store] as unknown as Record<string, unknown>;
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(object) : value;
      return async (...args: unknown[]) => {
        const answer = await value.apply(object, args);
        if (++calls === call) {
          reached();
          await released;
        }
        return answer;
      };
    },
  });
  return { deps: { ...deps, [store]: proxy }, reached: reachedPromise, release };
}
