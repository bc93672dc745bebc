/**
 * The cache: an in-process tier (W-TinyLFU or LRU over typed-array slots) with single-flight
 * loads, soft/hard TTLs, stale-while-revalidate, stale-if-error with backoff, early refresh
 * (XFetch or refresh-ahead), negative caching, tags, and no stale sets.
 *
 * Every public operation except `getSync`/`has` returns a promise, so a shared tier (Redis)
 * slots in under the same API.
 *
 * This file holds the public API and the hit paths; the state lives in cache-state.ts, loads
 * in load-lifecycle.ts, the shared tier's glue in tier-glue.ts. The class keeps its own
 * references to what a hit reads, so a hit costs no more than a lookup in one place.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Disposable, Listener } from '../core/events.js';
import {
  CacheState,
  clearHere,
  earlyFor,
  expireIfHard,
  invalidateTagHere,
  keyOf,
  resolveTags,
  voidFlight,
  writeLocal,
} from './cache-state.js';
import { CacheClosedError, invalidOption } from './errors.js';
import type { EvictionPolicy } from './eviction/policy.js';
import { jitteredTtl } from './freshness.js';
import { loadMany } from './load-many.js';
import { LoadLifecycle } from './load-lifecycle.js';
import type { LocalStore } from './local-store.js';
import { positiveDuration, resolveOptions } from './options.js';
import type { TierGlue } from './tier-glue.js';
import type { BatchLoader, CacheEvent, CacheHealth, CacheOptions, CacheStats, LoadOptions, Loader, SetOptions } from './types.js';

const RESOLVED: Promise<void> = Promise.resolve();
/** Slots examined per sweep tick. */
const SWEEP_BUDGET = 4096;

/**
 * An in-process cache, optionally in front of a shared tier (`l2`).
 * @typeParam V - value type
 * @typeParam K - key type (strings, or anything the `key` option turns into a string)
 * @example
 * ```ts
 * const cache = new Cache<User>({ maxEntries: 50_000, ttl: '30s', staleWhileRevalidate: '10s', jitter: 0.1 });
 * const user = await cache.getOrLoad(`user:${id}`, ({ signal }) => db.findUser(id, { signal }));
 * ```
 */
export class Cache<V, K = string> {
  /** This cache's key space. */
  readonly namespace: string;
  // What a hit reads, held here (not through #state) so the hot paths stay one lookup deep.
  readonly #store: LocalStore;
  readonly #policy: EvictionPolicy;
  readonly #clock: Clock;
  readonly #keyFn: ((key: K) => string) | undefined;
  /** Fresh hits counted here; batch hits are counted in #state.hits. */
  #hits = 0;
  readonly #state: CacheState<V, K>;
  readonly #loads: LoadLifecycle<V, K>;
  readonly #tier: TierGlue<V, K> | undefined;
  #sweepTimer: TimerHandle | undefined;

  /**
   * @param options - see {@link CacheOptions}; all optional (default 10,000 entries, W-TinyLFU, no TTL)
   * @throws HR_CACHE_INVALID_OPTION on any invalid option, naming it, its value and the fix; HR_CORE_INVALID_DURATION for a bad duration
   */
  constructor(options: CacheOptions<V, K> = {}) {
    const o = resolveOptions(options);
    const state = new CacheState<V, K>(o);
    this.#state = state;
    this.namespace = state.namespace;
    this.#store = state.store;
    this.#policy = state.policy;
    this.#clock = state.clock;
    this.#keyFn = state.keyFn;
    if (o.sweepIntervalMs > 0) this.#scheduleSweep();
    this.#loads = new LoadLifecycle(state, o.l2);
    this.#tier = this.#loads.tier;
  }

  /** Entries held in this process. */
  get size(): number {
    return this.#store.size;
  }

  /**
   * The string under which `key` is stored (the key itself, or the `key` function's result).
   * @throws HR_CACHE_INVALID_KEY for a non-string key without a `key` function
   */
  keyOf(key: K): string {
    return typeof key === 'string' && this.#keyFn === undefined ? key : keyOf(this.#state, key);
  }

  /**
   * The fresh value of `key` in this process, or undefined. Never loads, never serves stale.
   * Updates recency/frequency and the hit/miss counters.
   * @throws HR_CACHE_INVALID_KEY for a non-string key without a `key` function
   */
  getSync(key: K): V | undefined {
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : keyOf(this.#state, key);
    const store = this.#store;
    const slot = store.index.get(k);
    if (slot !== undefined) {
      if (!store.expiring) {
        this.#policy.access(slot);
        this.#hits++;
        return store.values[slot] as V;
      }
      const soft = store.softExp[slot]!;
      if (soft === Infinity || this.#clock.now() < soft) {
        this.#policy.access(slot);
        this.#hits++;
        return store.values[slot] as V;
      }
      expireIfHard(this.#state, slot);
    }
    this.#state.misses++;
    return undefined;
  }

  /**
   * The fresh value of `key`, or undefined. Never loads.
   * @throws HR_CACHE_INVALID_KEY (as a rejection) for a non-string key without a `key` function
   */
  get(key: K): Promise<V | undefined> {
    try {
      return Promise.resolve(this.getSync(key));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The value held here for `key`, fresh or stale (not hard-expired), or undefined. Changes no
   * counters and no recency; for diagnostics and tests.
   */
  peek(key: K): V | undefined {
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : keyOf(this.#state, key);
    const slot = this.#store.index.get(k);
    if (slot === undefined) return undefined;
    const hard = this.#store.hardExpOf(slot);
    return hard === Infinity || this.#state.clock.now() < hard ? (this.#store.values[slot] as V) : undefined;
  }

  /** True when a fresh value for `key` is held here; changes no counters and no recency. */
  has(key: K): boolean {
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : keyOf(this.#state, key);
    const slot = this.#store.index.get(k);
    if (slot === undefined) return false;
    if (!this.#store.expiring) return true;
    const soft = this.#store.softExp[slot]!;
    return soft === Infinity || this.#clock.now() < soft;
  }

  /**
   * Stores `value`. Any load of `key` still running is voided: its result will not be stored.
   * @throws HR_CACHE_INVALID_KEY, HR_CACHE_INVALID_OPTION (bad ttl or sizeOf result), HR_CACHE_CLOSED — as rejections
   */
  set(key: K, value: V, options?: SetOptions<V>): Promise<void> {
    try {
      const state = this.#state;
      const k = this.#liveKey(key);
      voidFlight(state, k);
      state.failures.delete(k);
      const ttlMs = options?.ttl === undefined ? state.ttlMs : positiveDuration(options.ttl, 'ttl');
      const ttl = jitteredTtl(ttlMs, state.jitter, state.random);
      const tags = resolveTags(options?.tags, value);
      writeLocal(state, k, value, ttl, 0, tags);
      const tier = this.#tier;
      if (tier === undefined) return RESOLVED;
      const entry = tier.entry(value, ttl, tags, false);
      return tier.call('set', (l2) => l2.set(k, entry));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Removes `key` and voids any load of it still running, so the next read loads fresh.
   * Resolves to true when a value was held here.
   */
  delete(key: K): Promise<boolean> {
    try {
      const state = this.#state;
      const k = this.#liveKey(key);
      voidFlight(state, k);
      state.failures.delete(k);
      const removed = this.#store.removeKey(k, 'deleted');
      if (state.events.active) state.events.emit({ type: 'invalidated', scope: 'key', target: k, origin: 'local' });
      if (this.#tier === undefined) return Promise.resolve(removed);
      return this.#tier.call('delete', (l2) => l2.delete(k)).then(() => removed);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Removes every entry tagged `tag` and voids the running loads that may produce one (those
   * declared with that tag, and those with tags computed from the value). Resolves to the
   * number of entries removed here.
   */
  invalidateTag(tag: string): Promise<number> {
    if (typeof tag !== 'string' || tag === '') return Promise.reject(invalidOption('tag', tag, 'use a non-empty string'));
    if (this.#state.closed) return Promise.reject(new CacheClosedError('cache'));
    const removed = invalidateTagHere(this.#state, tag, 'local');
    if (this.#tier === undefined) return Promise.resolve(removed);
    return this.#tier.call('invalidateTag', (l2) => l2.invalidateTag(tag)).then(() => removed);
  }

  /** Retires every entry at once and voids every running load. */
  clear(): Promise<void> {
    if (this.#state.closed) return Promise.reject(new CacheClosedError('cache'));
    clearHere(this.#state, 'local');
    if (this.#tier === undefined) return RESOLVED;
    return this.#tier.call('clear', (l2) => l2.clear());
  }

  /**
   * The value of `key`: fresh from this process, stale within the configured windows, or
   * loaded by `loader` — once, however many callers ask at the same time.
   * @param options.signal - cancels this caller's wait only (rejects with `signal.reason`)
   * @param options.ttl - soft TTL of a loaded value; default the cache's `ttl`
   * @param options.tags - tags of a loaded value
   * @throws HR_CACHE_INVALID_KEY, HR_CACHE_CLOSED, HR_CORE_NON_ERROR_THROWN (loader threw a non-Error) — as rejections
   * @example const user = await cache.getOrLoad(`user:${id}`, ({ signal }) => db.user(id, { signal }));
   */
  getOrLoad(key: K, loader: Loader<V>, options?: LoadOptions<V>): Promise<V | undefined> {
    // The fresh hit without expiry is the hot path: kept small so it inlines into callers.
    if (typeof key === 'string' && this.#keyFn === undefined) {
      const store = this.#store;
      const slot = store.index.get(key);
      if (slot !== undefined && !store.expiring) {
        this.#policy.access(slot);
        this.#hits++;
        return Promise.resolve(store.values[slot] as V);
      }
      return this.#getOrLoad(key, slot, loader, options);
    }
    let k: string;
    try {
      k = keyOf(this.#state, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#getOrLoad(k, this.#store.index.get(k), loader, options);
  }

  /** getOrLoad past the hot path: `slot` is the key's slot, if held. */
  #getOrLoad(k: string, slot: number | undefined, loader: Loader<V>, options: LoadOptions<V> | undefined): Promise<V | undefined> {
    const store = this.#store;
    if (slot !== undefined) {
      const soft = store.expiring ? store.softExp[slot]! : Infinity;
      if (soft === Infinity) {
        this.#policy.access(slot);
        this.#hits++;
        return Promise.resolve(store.values[slot] as V);
      }
      const now = this.#clock.now();
      if (now < soft) {
        this.#policy.access(slot);
        this.#hits++;
        const value = store.values[slot] as V;
        const early = options?.earlyRefresh === undefined ? this.#state.early : earlyFor(this.#state, options.earlyRefresh);
        if (early.strategy !== 'none') this.#loads.maybeRefreshEarly(k, slot, now, soft, early, loader, options);
        return Promise.resolve(value);
      }
      if (now < store.hardExpOf(slot)) return this.#loads.serveStale(k, slot, now, soft, loader, options);
      store.remove(slot, 'expired');
    }
    const state = this.#state;
    if (state.closed) return Promise.reject(new CacheClosedError('cache'));
    state.misses++;
    return this.#loads.flight(k, loader, options, undefined).join(options?.signal);
  }

  /**
   * Values of many keys, aligned with `keys`: hits are served here, keys already loading join
   * their load, and every other key goes to one call of `batchLoader`.
   * @throws HR_CACHE_INVALID_KEY, HR_CACHE_BATCH_RESULT (the loader's result has the wrong shape), HR_CACHE_CLOSED — as rejections
   * @example const users = await cache.getOrLoadMany(ids, (missing) => db.usersByIds(missing));
   */
  getOrLoadMany(keys: readonly K[], batchLoader: BatchLoader<V, K>, options?: LoadOptions<V>): Promise<(V | undefined)[]> {
    if (!Array.isArray(keys)) return Promise.reject(invalidOption('keys', keys, 'pass an array of keys'));
    if (typeof batchLoader !== 'function')
      return Promise.reject(invalidOption('batchLoader', batchLoader, 'pass a function (keys, { signal }) => Promise<Map | array>'));
    if (this.#state.closed) return Promise.reject(new CacheClosedError('cache'));
    return loadMany(this.#loads.batchHost, keys, batchLoader, options);
  }

  /** Counters since creation. */
  stats(): CacheStats {
    const state = this.#state;
    const hits = this.#hits + state.hits;
    const served = hits + state.staleHits;
    const total = served + state.misses;
    return {
      hits,
      staleHits: state.staleHits,
      misses: state.misses,
      loads: state.loads,
      loadErrors: state.loadErrors,
      refreshes: state.refreshes,
      staleSetsRefused: state.refused,
      evictions: this.#store.evictions,
      expirations: this.#store.expirations,
      hitRatio: total === 0 ? 0 : served / total,
      size: this.#store.size,
      weight: this.#policy.weight,
      loadTime: state.loadTime.snapshot(),
      l2Hits: state.l2Hits,
      l2Errors: state.l2Errors,
      l2: this.#tier?.tier.stats(),
    };
  }

  /**
   * Whether the cache can be relied on now: `ok`, `degraded` (the shared tier's circuit is not
   * closed, or its invalidation channel is not live — reads then go to the loader), or `closed`.
   * Cheap enough for every readiness probe; changes are also told by `tier-connection` events.
   * @example app.get('/ready', (_, reply) => reply.code(cache.health().status === 'closed' ? 503 : 200).send(cache.health()));
   */
  health(): CacheHealth {
    const tier = this.#tier?.tier.health();
    if (this.#state.closed) return { status: 'closed', tier };
    const ok = tier === undefined || (tier.circuit === 'closed' && tier.channel === 'live');
    return { status: ok ? 'ok' : 'degraded', tier };
  }

  /**
   * Subscribes to cache events (loads, refreshes, stale serves, removals, invalidations).
   * @example const sub = cache.on((e) => e.type === 'load-error' && log.warn(e)); sub.dispose();
   */
  on(listener: Listener<CacheEvent>): Disposable {
    return this.#state.events.on(listener);
  }

  /**
   * Stops the sweep, aborts running loads (rejecting their waiters with HR_CACHE_CLOSED), drops
   * every entry, and closes the connections its shared tier opened (subscriber, tracking) — not
   * the client you gave the tier: close that after this resolves. Then nothing of the cache
   * keeps the process alive. A tier connection whose reconnect is connecting is closed once the
   * attempt settles (node-redis cannot stop it sooner: at most its `connectTimeout`).
   * @example await cache.close(); await client.close();
   */
  close(): Promise<void> {
    const state = this.#state;
    if (state.closed) return RESOLVED;
    state.closed = true;
    this.#sweepTimer?.cancel();
    const reason = new CacheClosedError('cache');
    for (const [, flight] of [...state.flights.entries()]) flight.abort(reason);
    state.flights.clear();
    this.#store.clear();
    const tier = this.#tier;
    if (tier === undefined) return RESOLVED;
    return tier.attached.then(() => tier.tier.close()).catch((error: unknown) => tier.tierFailed('close', error));
  }

  #liveKey(key: K): string {
    if (this.#state.closed) throw new CacheClosedError('cache');
    return typeof key === 'string' && this.#keyFn === undefined ? key : keyOf(this.#state, key);
  }

  #scheduleSweep(): void {
    const state = this.#state;
    this.#sweepTimer = state.clock.setTimer(state.options.sweepIntervalMs, () => {
      if (state.closed) return;
      this.#store.sweep(state.clock.now(), SWEEP_BUDGET);
      this.#scheduleSweep();
    });
  }
}
