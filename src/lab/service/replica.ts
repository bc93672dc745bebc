/**
 * One replica of the reference service: the fastify app plus the phase state it switches between.
 * `configure` closes the previous phase (waiting store queries fail fast, cache dropped, counters
 * zeroed) and installs the new one, so every phase starts from the same clean state.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { type Random, SeededRandom } from '../../core/random.js';
import { type PhaseState, buildApp, zeroCounters } from './app.js';
import type { ReplicaInit, ReplicaPhaseConfig, ReplicaStats } from './protocol.js';
import { cacheAsideReadPath, singleFlightReadPath } from './cached-read-paths.js';
import { type ReadPath, type ReadPathContext, storeOnlyReadPath } from './read-path.js';
import type { CatalogStore } from './store.js';
import { StoreGate } from './store-gate.js';

/** The phase a replica starts in before the lab configures it: store only, no faults. */
export const IDLE_PHASE: ReplicaPhaseConfig = {
  phase: 'idle',
  seed: 1,
  store: { poolSize: 8, latencyMs: 0 },
  cache: { mode: 'off', maxEntries: 0, ttlMs: 0, hotKey: null },
  faults: { slowFactor: 1, stallProbability: 0, stallMs: 0 },
  limiter: false,
};

/** A replica's service and phase switching. */
export class ReplicaService {
  readonly app: FastifyInstance;
  readonly #init: ReplicaInit;
  readonly #store: CatalogStore;
  readonly #clock: Clock;
  #state: PhaseState;

  constructor(init: ReplicaInit, store: CatalogStore, clock: Clock) {
    this.#init = init;
    this.#store = store;
    this.#clock = clock;
    this.#state = this.#makeState(IDLE_PHASE);
    this.app = buildApp(store, () => this.#state, clock);
  }

  /** Switches to `config`: the old phase's queue is failed, its cache closed, counters zeroed. */
  async configure(config: ReplicaPhaseConfig): Promise<void> {
    const old = this.#state;
    this.#state = this.#makeState(config);
    old.gate.close();
    await old.read.close();
  }

  /** Counters since the last configure. */
  stats(): ReplicaStats {
    const c = this.#state.counters;
    const gate = this.#state.gate.counters();
    return {
      requests: c.requests,
      reads: c.reads,
      writes: c.writes,
      readsWithoutQuery: Math.max(0, c.reads - c.readQueries),
      storeQueries: gate.queries,
      hotKeyQueries: gate.hotKeyQueries,
      shed: c.shed,
      stalls: c.stalls,
      maxStoreQueue: gate.maxQueued,
    };
  }

  /** Stops the app and the phase; the store is closed by the owner. */
  async close(): Promise<void> {
    this.#state.gate.close();
    await this.#state.read.close();
    await this.app.close();
  }

  #makeState(config: ReplicaPhaseConfig): PhaseState {
    const gate = new StoreGate({ poolSize: config.store.poolSize, latencyMs: config.store.latencyMs, clock: this.#clock });
    const counters = zeroCounters();
    const ctx = { config, store: this.#store, gate, counters };
    const random = new SeededRandom(config.seed).fork(`replica-${this.#init.index}`);
    return { config, gate, counters, read: this.#readPath(ctx, random), admission: null, random };
  }

  #readPath(ctx: ReadPathContext, random: Random): ReadPath {
    switch (ctx.config.cache.mode) {
      case 'off':
        return storeOnlyReadPath(ctx);
      case 'aside':
        return cacheAsideReadPath(ctx, this.#clock, random.fork('read-path'));
      case 'cache':
        return singleFlightReadPath(ctx, this.#clock, random.fork('read-path'));
    }
  }
}
