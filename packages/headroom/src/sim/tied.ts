/**
 * The server side of tied requests in the simulator: one real `TiedRegistry` (headroom/latency)
 * per server, built when a tied copy first reaches it, on the engine's clock. A copy registers on
 * arrival (born cancelled when its twin's cancel came first), asks `start()` when a worker is
 * about to take it, and the twin's cancel — a message that crosses the network — drops it while
 * it waits. Models without tied requests build none of this.
 */
import { TiedRegistry } from '../latency/index.js';
import type { SimEngine } from './engine.js';

/** The tie registries of a fleet's servers. */
export class TieRegistries {
  readonly #registries = new Map<number, TiedRegistry>();

  constructor(readonly engine: SimEngine) {}

  /** Server `i`'s registry. */
  at(i: number): TiedRegistry {
    let registry = this.#registries.get(i);
    if (registry === undefined) this.#registries.set(i, (registry = new TiedRegistry({ clock: this.engine.clock })));
    return registry;
  }
}
