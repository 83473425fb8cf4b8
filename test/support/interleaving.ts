/**
 * Random but reproducible interleavings of actors over the real repositories: every
 * repository, carrier and policy call waits for its turn, and a turn is given only when
 * every live actor is waiting, to the actor `choose` picks (from the waiting actors sorted
 * by name). So each call runs alone, and a list of choices replays the same schedule.
 */
import type { Dependencies } from '../../functions/use-cases/dependencies.ts';

const GATED = ['orders', 'stock', 'capacity', 'policies', 'tracking', 'carrier'] as const;

export class Interleaving {
  private readonly choose: (count: number) => number;
  private readonly waiting: Array<{ actor: string; go: () => void }> = [];
  /** Starts at 1: no turn is given before `begin`, so every actor is queued first. */
  private running = 1;

  constructor(choose: (count: number) => number) {
    this.choose = choose;
  }

  /** Gives the first turn, once every actor is started. */
  begin(): void {
    this.running--;
    this.next();
  }

  /** Runs `body` as actor `name` with `deps` whose every call waits for the actor's turn. */
  async actor<T>(name: string, deps: Dependencies, body: (deps: Dependencies) => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await body(this.gated(name, deps));
    } finally {
      this.running--;
      this.next();
    }
  }

  private gated(actor: string, deps: Dependencies): Dependencies {
    const turn = () => this.turn(actor);
    const gate = <F extends (...args: never[]) => Promise<unknown>>(call: F) =>
      (async (...args: Parameters<F>) => {
        await turn();
        return call(...args);
      }) as F;
    const gatedObject = (target: object) =>
      new Proxy(target, {
        get(object, property) {
          const value = Reflect.get(object, property);
          return typeof value === 'function' ? gate(value.bind(object)) : value;
        },
      });
    const copy: Dependencies = { ...deps, routingPolicy: gate(deps.routingPolicy) };
    for (const key of GATED) (copy as unknown as Record<string, object>)[key] = gatedObject(deps[key]);
    return copy;
  }

  private turn(actor: string): Promise<void> {
    this.running--;
    return new Promise((go) => {
      this.waiting.push({ actor, go });
      this.next();
    });
  }

  private next(): void {
    if (this.running > 0 || this.waiting.length === 0) return;
    // Queued in whatever order the runtime delivered them; chosen from a stable order.
    this.waiting.sort((a, b) => (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
    const [picked] = this.waiting.splice(this.choose(this.waiting.length), 1);
    this.running++;
    picked!.go();
  }
}
