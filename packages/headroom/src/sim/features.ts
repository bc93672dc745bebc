/**
 * The model's optional parts, assembled from a {@link ModelSpec} in one place so the fleet stays
 * a thin loop: the calls' keys and the partitioner that routes them (keys.ts), the cache and the
 * concurrency limiter in front of each server (cache.ts, limiter.ts, front.ts), the time series
 * (series.ts), and the hooks a test uses to watch every dispatch. A model that uses none of them
 * builds none of them.
 */
import type { Random } from '../core/random.js';
import type { HedgeEvent } from '../latency/index.js';
import { checkCacheSpec, ServerCache } from './cache.js';
import type { SimEngine } from './engine.js';
import { invalidOption } from './errors.js';
import type { Front } from './front.js';
import { KeyRouter, KeySource } from './keys.js';
import { limiterFactory } from './limiter.js';
import type { ModelSpec, ServerGroupSpec } from './model-spec.js';
import type { RunResult } from './result.js';
import { SeriesRecorder } from './series.js';
import type { Server } from './server.js';
import { FrontedServer } from './front.js';
import { parsePositiveDuration } from '../core/duration.js';

/** How a round trip ended, as a load metric is told: answered, failed, or given up (lost its race, its call ended). */
export type RoundTripOutcome = 'success' | 'failure' | 'ignored';

/** Callbacks into a run, for tests and tools that check an invariant at every step. */
export interface ModelHooks {
  /**
   * An attempt leaves `client` for `server` at `atMs`; `inflight` is that client's count of
   * attempts in flight per server, this one included (read it now: it changes as the run goes on).
   */
  readonly onDispatch?: (atMs: number, client: number, server: number, inflight: ArrayLike<number>) => void;
  /** `server` pauses for `lengthMs` from `atMs` (its own `pauses` or `pausesAt`, or `machinePauses`). */
  readonly onPause?: (atMs: number, server: number, lengthMs: number) => void;
  /**
   * Each event of a client's real `HedgeCore` at `atMs` — a backup sent (when after its call
   * started, and the delay the call used) or refused by the budget, a call won — the same events a
   * `HedgePolicy` emits to its `on` listeners, so a tool reads the model's hedges as it reads a
   * real client's. Only with `clients.hedge`; it changes nothing in the run.
   */
  readonly onHedge?: (atMs: number, client: number, event: HedgeEvent) => void;
  /**
   * Each round trip of an attempt as `client`'s load metric is told of it, at `atMs`: `server`,
   * the time from the send to the answer read (a stalled client reads it late), and how it ended —
   * answered, failed, or given up (`ignored`: lost its race or its call ended first, timed to
   * then) — as `headroom lab --trace-picks` traces the lab's. It changes nothing in the run.
   */
  readonly onRoundTrip?: (atMs: number, client: number, server: number, rttMs: number, outcome: RoundTripOutcome) => void;
  /**
   * Progress of a long run: called between events, about every {@link PROGRESS_EVENTS} events
   * (the run goes in chunks of virtual time sized to that), and once more as the arrivals stop.
   * It changes nothing in the run (same results, same trace hash); the caller times it (events/s)
   * on its own clock — the model never reads the wall clock.
   */
  readonly onProgress?: (progress: RunProgress) => void;
}

/** Events between two {@link ModelHooks.onProgress} calls, roughly (tens of ms of a run's CPU time). */
export const PROGRESS_EVENTS = 250_000;

/** Where a run is, for {@link ModelHooks.onProgress}. */
export interface RunProgress {
  /** Virtual time reached, ms (past `durationMs` while the calls in flight drain). */
  readonly simulatedMs: number;
  /** The model's `duration`, ms: arrivals stop there. */
  readonly durationMs: number;
  /** Events run so far. */
  readonly events: number;
  /** Calls in the system. */
  readonly inFlight: number;
}

/** Builds what stands in front of one server, or nothing. */
export type FrontFactory = (engine: SimEngine, random: Random) => Front;

/** The optional parts of one run. */
export class ModelFeatures {
  /** The calls' keys, when the model has them. */
  readonly keys: KeySource | undefined;
  /** Routes keyed calls to their owners, when the model names a partitioner. */
  router: KeyRouter | undefined;
  /** The time series, when the model asks for one. */
  series: SeriesRecorder | undefined;
  readonly #seriesMs: number | undefined;

  /** @throws HR_SIM_INVALID_OPTION naming the field (`keys.exponent`, `partitioner`, `series`, …) */
  constructor(
    readonly spec: ModelSpec,
    random: Random,
    readonly hooks: ModelHooks,
  ) {
    this.keys = spec.keys === undefined ? undefined : new KeySource(spec.keys, random.fork('keys'));
    if (spec.partitioner !== undefined && this.keys === undefined)
      throw invalidOption(
        'partitioner',
        spec.partitioner,
        'give the calls keys too (model.keys), e.g. { "type": "zipf", "count": 10000, "exponent": 0.99 }',
      );
    this.#seriesMs = spec.series === undefined ? undefined : parsePositiveDuration(spec.series, 'series', 0);
  }

  /**
   * What a server group puts in front of its servers, or undefined for plain servers.
   * @throws HR_SIM_INVALID_OPTION naming the field under `path` (`servers.0.limiter.algorithm`, …)
   */
  front(group: ServerGroupSpec, path: string): FrontFactory | undefined {
    if (group.cache === undefined && group.limiter === undefined) return undefined;
    const cache = group.cache;
    if (cache !== undefined) {
      checkCacheSpec(cache, `${path}.cache`);
      if (this.keys === undefined)
        throw invalidOption(`${path}.cache`, cache, 'give the calls keys too (model.keys): the cache holds keys');
    }
    const limiter = group.limiter === undefined ? undefined : limiterFactory(group.limiter, `${path}.limiter`);
    const keys = this.keys;
    return (engine, random) => ({
      cache: cache === undefined ? undefined : new ServerCache(cache, keys!, random.fork('cache')),
      limiter: limiter?.(engine, random.fork('limiter')),
      queueing: (group.limiter?.queueSize ?? 0) > 0,
    });
  }

  /** Builds the parts that need the whole fleet (router, series). */
  attach(servers: readonly Server[], engine: SimEngine): void {
    if (this.spec.partitioner !== undefined) this.router = new KeyRouter(this.spec.partitioner, servers.length, this.keys!);
    if (this.#seriesMs !== undefined) this.series = new SeriesRecorder(this.#seriesMs, engine, servers);
  }

  /** The result fields of the parts in use. */
  result(servers: readonly Server[]): Pick<RunResult, 'cache' | 'limiter' | 'partition' | 'series'> {
    const fronted = servers.filter((s): s is FrontedServer => s instanceof FrontedServer);
    const cached = fronted.filter((s) => s.cache !== undefined);
    const limited = fronted.filter((s) => s.limiter !== undefined);
    const out: { -readonly [K in 'cache' | 'limiter' | 'partition' | 'series']?: RunResult[K] } = {};
    if (cached.length > 0) {
      const hits = cached.reduce((a, s) => a + s.cache!.hits, 0);
      const misses = cached.reduce((a, s) => a + s.cache!.misses, 0);
      out.cache = { hits, misses, hitRatio: hits + misses > 0 ? hits / (hits + misses) : 0 };
    }
    if (limited.length > 0) {
      const admitted = limited.reduce((a, s) => a + s.admitted, 0);
      const shed = limited.reduce((a, s) => a + s.shed, 0);
      const meanLimit = limited.reduce((a, s) => a + s.limiter!.limit, 0) / limited.length;
      const waited = limited.reduce((a, s) => a + s.waitedForPermit, 0);
      const waitMs = limited.reduce((a, s) => a + s.permitWaitMs, 0);
      const shedAfterWait = limited.reduce((a, s) => a + s.shedAfterWait, 0);
      out.limiter = {
        admitted,
        shed,
        shedShare: admitted + shed > 0 ? shed / (admitted + shed) : 0,
        finalLimit: meanLimit,
        waited,
        meanWaitMs: waited > 0 ? waitMs / waited : 0,
        shedAfterWait,
      };
    }
    const router = this.router;
    if (router !== undefined)
      out.partition = {
        placements: router.placements,
        aboveCap: router.aboveCap,
        worstOverCap: router.worstOverCap,
        loadFactor: router.capFactor,
      };
    if (this.series !== undefined) out.series = this.series.result();
    return out;
  }
}
