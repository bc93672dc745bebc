/**
 * One replica of the reference service: a listening node:http server and the phase it serves.
 * `configure` builds the new phase (store gate, read path, limiter, fastify app), switches the
 * server to it, then closes the old one — its waiting store queries fail fast, its cache is
 * dropped — so every phase starts from the same clean state while connections stay open.
 * Every replica reports its load (headroom/balance LoadReporter) on a probe path and in a header.
 */
import type { FastifyInstance } from 'fastify';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, type Random, SeededRandom } from 'headroom';
import { LoadReporter, loadReporterHandler } from 'headroom/balance';
import type { RedisLike } from 'headroom/cache';
import { ConcurrencyLimiter, VegasLimit, WindowedLimit } from 'headroom/latency';
import { type PhaseState, type RequestHandler, buildPhaseApp, zeroCounters } from './app.js';
import { cacheAsideReadPath, singleFlightReadPath } from './cached-read-paths.js';
import type { ReplicaInit, ReplicaPhaseConfig, ReplicaStats, WarmBlock, WarmCount } from './protocol.js';
import { type ReadPath, type ReadPathContext, storeOnlyReadPath } from './read-path.js';
import type { CatalogStore } from './store.js';
import { StoreGate } from './store-gate.js';
import { replayBlock } from './warm-replay.js';
import { WarpClock } from './warp-clock.js';

/** The phase a replica starts in before the lab configures it: store only, no faults. */
export const IDLE_PHASE: ReplicaPhaseConfig = {
  phase: 'idle',
  seed: 1,
  store: { poolSize: 8, latencyMs: 0 },
  cache: { mode: 'off', maxEntries: 0, ttlMs: 0, hotKey: null },
  faults: { slowFactor: 1, stallProbability: 0, stallMs: 0 },
  limiter: false,
};

interface Phase {
  readonly state: PhaseState;
  readonly app: FastifyInstance;
  readonly handler: RequestHandler;
  /** The cache's clock, which a warm-up replay moves forward (see warm-replay.ts). */
  readonly cacheClock: WarpClock;
  /** Where the phase's warm-up replay began on `cacheClock`, or null before its first block. */
  warmStartMs: number | null;
}

/** A replica's server and phase switching. */
export class ReplicaService {
  readonly #deps: PhaseDeps;
  readonly #server: Server;
  #phase: Phase;

  private constructor(deps: PhaseDeps, phase: Phase) {
    this.#deps = deps;
    this.#phase = phase;
    // headroom/balance's LoadReporter answers probes on /.headroom/load and piggybacks the same
    // report (requests in flight, expected latency) on every response, for Prequal and C3 clients.
    const reportLoad = loadReporterHandler(new LoadReporter({ clock: deps.clock }));
    this.#server = createServer((request, response) => {
      if (!reportLoad(request, response)) this.#phase.handler(request, response);
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  /**
   * Makes a replica in the idle phase (not yet listening).
   * @param redis - a connected client for the cache's Redis tier (`--redis`), or null; its owner closes it
   */
  static async create(init: ReplicaInit, store: CatalogStore, clock: Clock, redis: RedisLike | null = null): Promise<ReplicaService> {
    const deps: PhaseDeps = {
      init,
      store,
      clock,
      redis: redis === null ? null : { client: redis, prefix: init.keyPrefix, timeoutMs: init.redisTimeoutMs },
    };
    return new ReplicaService(deps, await buildPhase(deps, IDLE_PHASE));
  }

  /** The current phase's fastify app (for `inject` in tests). */
  get app(): FastifyInstance {
    return this.#phase.app;
  }

  /**
   * Listens on 127.0.0.1:`port` (0 = OS-assigned) and resolves with the port.
   * @throws the listen error (EADDRINUSE when the port is taken)
   */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Switches to `config` (see the file comment). */
  async configure(config: ReplicaPhaseConfig): Promise<void> {
    const next = await buildPhase(this.#deps, config);
    const old = this.#phase;
    this.#phase = next;
    await closePhase(old);
  }

  /**
   * Replays the next block of past traffic into the current phase's cache (the first block of a
   * phase starts its replayed time line); the phase's counters do not see it.
   */
  warm(block: WarmBlock): Promise<WarmCount> {
    const phase = this.#phase;
    phase.warmStartMs ??= phase.cacheClock.now();
    return replayBlock(phase.state.read, phase.cacheClock, phase.warmStartMs, block);
  }

  /** Counters since the last configure. */
  stats(): ReplicaStats {
    const { counters: c, gate, limiter } = this.#phase.state;
    const g = gate.counters();
    return {
      requests: c.requests,
      reads: c.reads,
      writes: c.writes,
      readsWithoutQuery: Math.max(0, c.reads - c.readQueries),
      storeQueries: g.queries,
      hotKeyQueries: g.hotKeyQueries,
      shed: limiter?.stats().shed ?? 0,
      stalls: c.stalls,
      abandonedStalls: [...c.abandonedStalls],
      maxStoreQueue: g.maxQueued,
    };
  }

  /** Stops listening, drops open connections and closes the phase; the store is closed by its owner. */
  async close(): Promise<void> {
    if (this.#server.listening) {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      this.#server.closeAllConnections();
      await closed;
    }
    await closePhase(this.#phase);
  }
}

/** What every phase of a replica is built from. */
interface PhaseDeps {
  readonly init: ReplicaInit;
  readonly store: CatalogStore;
  readonly clock: Clock;
  readonly redis: ReadPathContext['redis'];
}

async function buildPhase({ init, store, clock, redis }: PhaseDeps, config: ReplicaPhaseConfig): Promise<Phase> {
  // A slow replica is one whose way to the store is slow (a degraded disk or a far zone): every
  // query's round trip is multiplied, which keeps the fault exact however busy the CPU is.
  const gate = new StoreGate({ poolSize: config.store.poolSize, latencyMs: config.store.latencyMs * config.faults.slowFactor, clock });
  const counters = zeroCounters();
  const random = new SeededRandom(config.seed).fork(`replica-${init.index}`);
  const ctx: ReadPathContext = { config, store, gate, counters, redis };
  const limiter = config.limiter ? overloadLimiter(clock, random.fork('limiter')) : null;
  // Only the cache reads the warp clock: the store's round trip and the stalls stay in real time.
  const cacheClock = new WarpClock(clock);
  const state: PhaseState = { config, gate, counters, read: readPath(ctx, cacheClock, random.fork('read-path')), limiter, random };
  const { app, handler } = await buildPhaseApp(store, state, clock);
  return { state, app, handler, cacheClock, warmStartMs: null };
}

/**
 * The adaptive limiter of the overload scenario: Vegas (Netflix concurrency-limits' default
 * algorithm) at its defaults, fed one sample per window of 0.1–1 s. Measured here on this service,
 * windowed Vegas kept p99 near 0.1–0.2 s at full goodput, where the module's default (windowed
 * Gradient2, whose floor of 20 in-flight requests is ten times this replica's two store
 * connections) let requests queue for ~0.3 s; see docs/lab.md.
 */
function overloadLimiter(clock: Clock, random: Random): ConcurrencyLimiter {
  return new ConcurrencyLimiter({
    limit: new WindowedLimit(new VegasLimit({ random }), { minWindow: 100, maxWindow: 1_000 }),
    clock,
    random,
  });
}

function readPath(ctx: ReadPathContext, clock: WarpClock, random: Random): ReadPath {
  switch (ctx.config.cache.mode) {
    case 'off':
      return storeOnlyReadPath(ctx);
    case 'aside':
      return cacheAsideReadPath(ctx, clock, random);
    case 'cache':
      return singleFlightReadPath(ctx, clock, random);
  }
}

async function closePhase(phase: Phase): Promise<void> {
  phase.state.gate.close();
  await phase.state.read.close();
  await phase.app.close();
}
