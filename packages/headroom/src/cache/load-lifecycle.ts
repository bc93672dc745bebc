/**
 * The life of a load: one flight per key however many callers ask (single flight), its
 * generation check at the end (a load voided by a write or invalidation while it ran is not
 * stored: no stale sets), background refreshes (stale-while-revalidate, XFetch/refresh-ahead
 * early refresh), and stale-if-error with exponential backoff of a failing key's reloads.
 * Also the batch path's view of the cache (load-many.ts).
 */
import { toError } from '../core/errors.js';
import { earlyFor, expireIfHard, keyOf, resolveTags, untrustedSoftExpiry, weigh, writeLocal, type CacheState } from './cache-state.js';
import { CacheClosedError, invalidOption } from './errors.js';
import { backoffDelay } from '../core/backoff.js';
import { jitteredTtl } from './freshness.js';
import type { BatchHost, BatchLookup } from './load-many.js';
import { positiveDuration, type ResolvedEarlyRefresh } from './options.js';
import { Flight, FlightContext } from './stampede/single-flight.js';
import { shouldRefreshEarly } from './stampede/xfetch.js';
import type { SharedTier } from './tier.js';
import { TierGlue, type FlightSettler } from './tier-glue.js';
import { releaseBatchLease, storeBatchResult, tieredBatch, tieredLoad } from './tiered-load.js';
import type { Loader, LoadOptions } from './types.js';

const MISS: BatchLookup<never> = { kind: 'miss', value: undefined };

/** The running loads of one cache and what happens when they end. */
export class LoadLifecycle<V, K> implements FlightSettler<V> {
  /** The shared tier's glue; undefined without an `l2`. */
  readonly tier: TierGlue<V, K> | undefined;
  /** What `loadMany` needs from the cache, built once (no closure per call). */
  readonly batchHost: BatchHost<V, K>;
  readonly #state: CacheState<V, K>;

  /** With an `l2`, attaches to it at once. */
  constructor(state: CacheState<V, K>, l2: SharedTier<V> | undefined) {
    this.#state = state;
    this.batchHost = this.#makeBatchHost(l2 !== undefined);
    this.tier = l2 === undefined ? undefined : new TierGlue(state, l2, this);
  }

  /** Entry in [soft, hard): stale-while-revalidate, or a reload with stale-if-error fallback. */
  serveStale(
    k: string,
    slot: number,
    now: number,
    soft: number,
    loader: Loader<V>,
    options: LoadOptions<V> | undefined,
  ): Promise<V | undefined> {
    const state = this.#state;
    const value = state.store.values[slot] as V;
    const failure = state.failures.get(k);
    const backingOff = failure !== undefined && now < failure.retryAt;
    // While the tier's notifications are down, stale values back errors only: the reader reloads.
    const revalidate = !state.tierDown && now < soft + state.swrMs;
    if (revalidate || backingOff) {
      state.policy.access(slot);
      state.staleHits++;
      if (revalidate && !backingOff && !state.closed && !state.flights.has(k)) this.#refresh(k, loader, options, value, 'stale');
      if (state.events.active) state.events.emit({ type: 'stale-served', key: k, reason: revalidate ? 'revalidate' : 'error' });
      return Promise.resolve(value);
    }
    // Past the revalidation window only stale-if-error keeps the entry: the caller waits for a
    // reload and gets the stale value if it fails.
    if (state.closed) return Promise.reject(new CacheClosedError('cache'));
    state.misses++;
    const signal = options?.signal;
    return this.flight(k, loader, options, value)
      .join(signal)
      .catch((error: unknown) => this.#fallback(k, error, signal));
  }

  /** Stale-if-error: the held value when the reload failed within the window; else rethrows. */
  #fallback(k: string, error: unknown, signal: AbortSignal | undefined): V | undefined {
    if (signal?.aborted === true && error === signal.reason) throw error;
    const state = this.#state;
    const store = state.store;
    const slot = store.index.get(k);
    if (slot === undefined || state.sieMs === 0) throw error;
    const now = state.clock.now();
    if (now >= store.softExp[slot]! + state.sieMs) throw error;
    state.staleHits++;
    if (state.events.active) state.events.emit({ type: 'stale-served', key: k, reason: 'error' });
    return store.values[slot] as V;
  }

  /** After a fresh hit: starts a background refresh when the early-refresh strategy says it is due. */
  maybeRefreshEarly(
    k: string,
    slot: number,
    now: number,
    soft: number,
    early: ResolvedEarlyRefresh,
    loader: Loader<V>,
    options: LoadOptions<V> | undefined,
  ): void {
    const state = this.#state;
    const store = state.store;
    const due =
      early.strategy === 'xfetch'
        ? shouldRefreshEarly(now, soft, store.loadMsOf(slot), early.beta, state.random)
        : early.strategy === 'ahead' && now >= soft - (1 - early.at) * store.ttlOf(slot);
    if (!due || state.closed || state.flights.has(k)) return;
    const failure = state.failures.get(k);
    if (failure !== undefined && now < failure.retryAt) return;
    this.#refresh(k, loader, options, store.values[slot] as V, early.strategy === 'xfetch' ? 'xfetch' : 'ahead');
  }

  #refresh(k: string, loader: Loader<V>, options: LoadOptions<V> | undefined, stale: V, reason: 'stale' | 'xfetch' | 'ahead'): void {
    const state = this.#state;
    state.refreshes++;
    if (state.events.active) state.events.emit({ type: 'refresh', key: k, reason });
    // The background load is pinned: callers that come and go do not abort it. Its outcome is
    // recorded by loaded/failed, so the promise itself is not awaited.
    this.flight(k, loader, options, stale, true).pin();
  }

  /** The running load of `k`, or a new one. */
  flight(
    k: string,
    loader: Loader<V>,
    options: LoadOptions<V> | undefined,
    stale: V | undefined,
    background = false,
  ): Flight<V | undefined> {
    const running = this.#state.flights.get(k);
    if (running !== undefined) return running;
    const flight = this.#newFlight(k, options, background);
    if (typeof loader !== 'function') {
      this.failed(flight, invalidOption('loader', loader, 'pass a function ({ key, signal, stale }) => value or promise'));
      return flight;
    }
    let result: Promise<V | undefined> | V | undefined;
    try {
      const tier = this.tier;
      if (tier !== undefined) {
        // The tiered load settles the flight itself.
        tieredLoad(tier.host, flight, loader, stale, options);
        return flight;
      }
      result = loader(new FlightContext(flight, stale));
    } catch (error) {
      this.failed(flight, error);
      return flight;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.loaded(flight, value, options),
        (error: unknown) => this.failed(flight, error),
      );
    } else {
      this.loaded(flight, result, options);
    }
    return flight;
  }

  #newFlight(k: string, options: LoadOptions<V> | undefined, background: boolean): Flight<V | undefined> {
    const flight = new Flight<V | undefined>(k, this.#state.clock.now(), this.#onAbandon);
    if (background) {
      flight.background = true;
      flight.pin();
    }
    const tags = options?.tags;
    flight.tags = tags === undefined ? undefined : typeof tags === 'function' ? 'dynamic' : tags;
    this.#state.flights.add(k, flight);
    return flight;
  }

  readonly #onAbandon = (flight: Flight<V | undefined>): void => {
    const flights = this.#state.flights;
    if (flights.get(flight.key) === flight) flights.delete(flight.key);
  };

  /** Settles a flight with its value, storing it unless it was voided while it ran. */
  loaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void {
    if (flight.settled) return;
    const state = this.#state;
    const k = flight.key;
    const now = state.clock.now();
    const durationMs = Math.max(0, now - flight.startedAt);
    if (!flight.servedByTier) {
      state.loads++;
      state.loadTime.record(durationMs);
    }
    if (state.flights.get(k) === flight) state.flights.delete(k);
    state.failures.delete(k);
    if (flight.voided) {
      // The key was written or invalidated while this load ran: storing would resurrect old data.
      state.refused++;
      if (state.events.active) state.events.emit({ type: 'stale-set-refused', key: k });
    } else {
      try {
        this.#storeLoaded(flight, value, options, durationMs, now);
      } catch (error) {
        flight.reject(error);
        return;
      }
    }
    if (state.events.active) state.events.emit({ type: 'load', key: k, durationMs, background: flight.background });
    flight.resolve(value);
  }

  /** Settles a flight with a failure; with a stale value held, backs off the key's next reload. */
  failed(flight: Flight<V | undefined>, thrown: unknown): void {
    if (flight.settled) return;
    const state = this.#state;
    const k = flight.key;
    if (state.flights.get(k) === flight) state.flights.delete(k);
    if (flight.aborted) {
      // Abandoned by every waiter: nobody is told, and it is no failure of the source.
      flight.reject(thrown);
      return;
    }
    const error = toError(thrown, `The loader of cache key ${JSON.stringify(k)}`);
    const now = state.clock.now();
    state.loadErrors++;
    if (state.store.index.has(k)) {
      // A stale value is held: back off before the next reload so a failing source is not hammered.
      const failure = state.failures.get(k) ?? { failures: 0, retryAt: 0 };
      failure.failures++;
      failure.retryAt = now + backoffDelay(state.options.backoff, failure.failures, state.random);
      state.failures.set(k, failure);
    }
    if (state.events.active) {
      state.events.emit({
        type: 'load-error',
        key: k,
        durationMs: Math.max(0, now - flight.startedAt),
        error,
        background: flight.background,
      });
    }
    flight.reject(error);
  }

  #storeLoaded(
    flight: Flight<V | undefined>,
    value: V | undefined,
    options: LoadOptions<V> | undefined,
    loadMs: number,
    now: number,
  ): void {
    const state = this.#state;
    const k = flight.key;
    const fromTier = flight.tierEntry;
    const negative = value === undefined || value === null;
    if (fromTier !== undefined) {
      // Adopt the shared entry's expiry (wall clock), so every process expires it together.
      const soft = fromTier.softExpiresAt === Infinity ? Infinity : now + (fromTier.softExpiresAt - state.clock.wallNow());
      const weight = negative || state.sizeOf === undefined ? 1 : weigh(state, value, k);
      const ttl = soft === Infinity ? 0 : Math.max(0, soft - now);
      state.store.write(
        k,
        value,
        weight,
        state.tierDown ? Math.min(soft, untrustedSoftExpiry(state, now)) : soft,
        negative,
        ttl,
        loadMs,
        fromTier.tags,
      );
      return;
    }
    if (negative) {
      if (state.negativeTtlMs > 0) {
        const ttl = jitteredTtl(state.negativeTtlMs, state.jitter, state.random);
        // A negative entry weighs 1 (entry or byte) and is never served stale.
        state.store.write(k, value, 1, state.tierDown ? now : now + ttl, true, ttl, loadMs, undefined);
      } else {
        state.store.removeKey(k, 'deleted');
      }
      return;
    }
    const ttlMs = options?.ttl === undefined ? state.ttlMs : positiveDuration(options.ttl, 'ttl');
    // A per-call early refresh needs the entry's TTL and load time recorded from now on.
    if (options?.earlyRefresh !== undefined) earlyFor(state, options.earlyRefresh);
    writeLocal(state, k, value, jitteredTtl(ttlMs, state.jitter, state.random), loadMs, resolveTags(options?.tags, value));
  }

  #makeBatchHost(tiered: boolean): BatchHost<V, K> {
    const state = this.#state;
    return {
      key: (key: K): string => keyOf(state, key),
      lookup: (k: string): BatchLookup<V> => this.#lookupForBatch(k),
      flightOf: (k: string): Flight<V | undefined> | undefined => state.flights.get(k),
      newFlight: (k: string, options: LoadOptions<V> | undefined, background: boolean): Flight<V | undefined> => {
        if (background) state.refreshes++;
        return this.#newFlight(k, options, background);
      },
      loaded: (flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void =>
        this.loaded(flight, value, options),
      failed: (flight: Flight<V | undefined>, error: unknown): void => this.failed(flight, error),
      countMiss: (): void => void state.misses++,
      fallback: (k: string, error: unknown, signal: AbortSignal | undefined): V | undefined => this.#fallback(k, error, signal),
      tiered: tiered
        ? (flights: readonly Flight<V | undefined>[]) => tieredBatch(this.tier!.host, flights, this.tier!.fillFromTier)
        : undefined,
      storeTier: tiered
        ? (flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined, token: string | undefined) =>
            storeBatchResult(this.tier!.host, flight, value, options, token)
        : undefined,
      releaseTier: tiered
        ? (flight: Flight<V | undefined>, token: string | undefined) => releaseBatchLease(this.tier!.host, flight, token)
        : undefined,
    };
  }

  /** A key's state for a batch: fresh, stale within stale-while-revalidate (refresh due or not), or missing. */
  #lookupForBatch(k: string): BatchLookup<V> {
    const state = this.#state;
    const store = state.store;
    const slot = store.index.get(k);
    if (slot === undefined) return MISS;
    const soft = store.expiring ? store.softExp[slot]! : Infinity;
    const now = soft === Infinity ? 0 : state.clock.now();
    if (soft === Infinity || now < soft) {
      state.policy.access(slot);
      state.hits++;
      return { kind: 'fresh', value: store.values[slot] as V };
    }
    if (now < soft + state.swrMs) {
      state.policy.access(slot);
      state.staleHits++;
      const failure = state.failures.get(k);
      const due = !(failure !== undefined && now < failure.retryAt) && !state.flights.has(k);
      if (state.events.active) state.events.emit({ type: 'stale-served', key: k, reason: 'revalidate' });
      return { kind: due ? 'stale-refresh' : 'stale', value: store.values[slot] as V };
    }
    expireIfHard(state, slot);
    return MISS;
  }
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
