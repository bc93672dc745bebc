/**
 * The cache: an in-process tier (W-TinyLFU or LRU over typed-array slots) with single-flight
 * loads, soft/hard TTLs, stale-while-revalidate, stale-if-error with backoff, early refresh
 * (XFetch or refresh-ahead), negative caching, tags, and no stale sets.
 *
 * Every public operation except `getSync`/`has` returns a promise, so a shared tier (Redis)
 * slots in under the same API.
 */
import { SystemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { toError } from '../core/errors.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import { LatencyHistogram } from '../core/histogram.js';
import type { Random } from '../core/random.js';
import { CoarseNow } from './coarse-now.js';
import { CacheClosedError, InvalidKeyError, invalidOption } from './errors.js';
import { LruPolicy } from './eviction/lru.js';
import type { EvictionPolicy } from './eviction/policy.js';
import { TinyLfuPolicy } from './eviction/tinylfu.js';
import { backoffDelay, jitteredTtl } from './freshness.js';
import { loadMany, type BatchHost, type BatchLookup } from './load-many.js';
import { LocalStore } from './local-store.js';
import { positiveDuration, resolveEarlyRefresh, resolveOptions, type ResolvedEarlyRefresh, type ResolvedOptions } from './options.js';
import { Flight, FlightContext } from './stampede/single-flight.js';
import { shouldRefreshEarly } from './stampede/xfetch.js';
import type { SharedTier, TierEntry, TierListener } from './tier.js';
import { storeBatchResult, tieredBatch, tieredLoad, type TierHost } from './tiered-load.js';
import type {
  BatchLoader, CacheEvent, CacheOptions, CacheStats, EarlyRefresh, LoadOptions, Loader, RemovalReason, SetOptions, Tags,
} from './types.js';

const RESOLVED: Promise<void> = Promise.resolve();
/** On the system clock, hits compare expiry with a time read at most this long ago (coarse-now.ts). */
const HIT_CLOCK_RESOLUTION_MS = 1;
/** Slots examined per sweep tick. */
const SWEEP_BUDGET = 4096;

/** Failure state of a key whose reloads keep failing. */
interface FailureState {
  failures: number;
  retryAt: number;
}

/**
 * An in-process cache. Create it with {@link createCache}.
 * @typeParam V - value type
 * @typeParam K - key type (strings, or anything the `key` option turns into a string)
 */
export class Cache<V, K = string> {
  /** This cache's key space. */
  readonly namespace: string;
  readonly #store: LocalStore;
  readonly #policy: EvictionPolicy;
  readonly #clock: Clock;
  /** The time source of fresh-hit checks: the clock itself, or on the system clock a 1 ms coarse reading. */
  readonly #hitClock: Pick<Clock, 'now'>;
  readonly #random: Random;
  readonly #keyFn: ((key: K) => string) | undefined;
  readonly #sizeOf: ((value: V, key: string) => number) | undefined;
  readonly #ttlMs: number;
  readonly #jitter: number;
  readonly #swrMs: number;
  readonly #sieMs: number;
  readonly #staleMs: number;
  readonly #negativeTtlMs: number;
  readonly #early: ResolvedEarlyRefresh;
  readonly #options: ResolvedOptions<V, K>;
  readonly #flights = new Map<string, Flight<V | undefined>>();
  readonly #failures = new Map<string, FailureState>();
  readonly #events = new Emitter<CacheEvent>();
  readonly #loadTime = new LatencyHistogram();
  #hits = 0;
  #staleHits = 0;
  #misses = 0;
  #loads = 0;
  #loadErrors = 0;
  #refreshes = 0;
  #refused = 0;
  #closed = false;
  readonly #l2: SharedTier<V> | undefined;
  #attached: Promise<void> = RESOLVED;
  /** True while the tier's notifications are down: L1 cannot learn of changes, so it only backs stale-if-error. */
  #tierDown = false;
  #l2Hits = 0;
  #l2Errors = 0;
  #isAttached = false;
  #tierHost: TierHost<V> | undefined;
  readonly #batchHost: BatchHost<V, K>;
  #sweepTimer: TimerHandle | undefined;
  #lastEarlyRaw: EarlyRefresh | false | undefined;
  #lastEarly: ResolvedEarlyRefresh = { strategy: 'none' };

  /** @throws HR_CACHE_INVALID_OPTION on any invalid option */
  constructor(options: CacheOptions<V, K> = {}) {
    const o = resolveOptions(options);
    this.#options = o;
    this.namespace = o.namespace;
    this.#clock = o.clock;
    // Injected clocks (tests, simulations) are read exactly; the real one coarsely on hits.
    this.#hitClock = o.clock instanceof SystemClock ? new CoarseNow(o.clock, HIT_CLOCK_RESOLUTION_MS) : o.clock;
    this.#random = o.random;
    this.#keyFn = o.keyFn;
    this.#sizeOf = o.sizeOf;
    this.#ttlMs = o.ttlMs;
    this.#jitter = o.jitter;
    this.#swrMs = o.swrMs;
    this.#sieMs = o.sieMs;
    this.#staleMs = Math.max(o.swrMs, o.sieMs);
    this.#negativeTtlMs = o.negativeTtlMs;
    this.#early = o.earlyRefresh;
    // Slot arrays start small and double as entries arrive (a large maxEntries costs nothing
    // until used). Entries are inserted before the victim is chosen, hence one spare slot.
    const maxSlots = o.weighted ? Infinity : o.maximum + 1;
    const slots = Math.min(maxSlots, 1024);
    this.#policy = o.eviction === 'lru'
      ? new LruPolicy(o.maximum, slots, o.weighted)
      : new TinyLfuPolicy(o.maximum, slots, o.weighted, o.random.fork('cache.admission'));
    this.#store = new LocalStore(this.#policy, slots, maxSlots, this.#staleMs, this.#onRemoved);
    if (o.earlyRefresh.strategy !== 'none') this.#store.trackEarlyRefresh();
    if (o.sweepIntervalMs > 0) this.#scheduleSweep();
    this.#l2 = o.l2;
    this.#batchHost = this.#makeBatchHost();
    if (o.l2 !== undefined) {
      this.#attached = o.l2.attach(o.namespace, this.#tierListener).catch((error: unknown) => {
        // Without notifications L1 cannot be trusted; calls to the tier fail over on their own.
        this.#tierDown = true;
        this.#tierFailed('attach', error);
      }).finally(() => { this.#isAttached = true; });
    }
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
    return typeof key === 'string' && this.#keyFn === undefined ? key : this.#key(key);
  }

  /**
   * The fresh value of `key` in this process, or undefined. Never loads, never serves stale.
   * Updates recency/frequency and the hit/miss counters.
   * @throws HR_CACHE_INVALID_KEY for a non-string key without a `key` function
   */
  getSync(key: K): V | undefined {
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : this.#key(key);
    const store = this.#store;
    const slot = store.index.get(k);
    if (slot !== undefined) {
      if (!store.expiring) {
        this.#policy.access(slot);
        this.#hits++;
        return store.values[slot] as V;
      }
      const soft = store.softExp[slot]!;
      if (soft === Infinity || this.#hitClock.now() < soft) {
        this.#policy.access(slot);
        this.#hits++;
        return store.values[slot] as V;
      }
      this.#expireIfHard(slot);
    }
    this.#misses++;
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
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : this.#key(key);
    const slot = this.#store.index.get(k);
    if (slot === undefined) return undefined;
    const hard = this.#store.hardExpOf(slot);
    return hard === Infinity || this.#clock.now() < hard ? this.#store.values[slot] as V : undefined;
  }

  /** True when a fresh value for `key` is held here; changes no counters and no recency. */
  has(key: K): boolean {
    const k = typeof key === 'string' && this.#keyFn === undefined ? key : this.#key(key);
    const slot = this.#store.index.get(k);
    if (slot === undefined) return false;
    if (!this.#store.expiring) return true;
    const soft = this.#store.softExp[slot]!;
    return soft === Infinity || this.#hitClock.now() < soft;
  }

  /**
   * Stores `value`. Any load of `key` still running is voided: its result will not be stored.
   * @throws HR_CACHE_INVALID_KEY, HR_CACHE_INVALID_OPTION (bad ttl or sizeOf result), HR_CACHE_CLOSED — as rejections
   */
  set(key: K, value: V, options?: SetOptions<V>): Promise<void> {
    try {
      const k = this.#liveKey(key);
      this.#void(k);
      this.#failures.delete(k);
      const ttlMs = options?.ttl === undefined ? this.#ttlMs : positiveDuration(options.ttl, 'ttl');
      const ttl = jitteredTtl(ttlMs, this.#jitter, this.#random);
      const tags = resolveTags(options?.tags, value);
      this.#write(k, value, ttl, 0, tags);
      if (this.#l2 === undefined) return RESOLVED;
      const entry = this.#entry(value, ttl, tags, false);
      return this.#tierCall('set', (tier) => tier.set(k, entry));
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
      const k = this.#liveKey(key);
      this.#void(k);
      this.#failures.delete(k);
      const removed = this.#store.removeKey(k, 'deleted');
      if (this.#events.active) this.#events.emit({ type: 'invalidated', scope: 'key', target: k, origin: 'local' });
      if (this.#l2 === undefined) return Promise.resolve(removed);
      return this.#tierCall('delete', (tier) => tier.delete(k)).then(() => removed);
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
    if (this.#closed) return Promise.reject(new CacheClosedError('cache'));
    const removed = this.#invalidateTagHere(tag, 'local');
    if (this.#l2 === undefined) return Promise.resolve(removed);
    return this.#tierCall('invalidateTag', (tier) => tier.invalidateTag(tag)).then(() => removed);
  }

  /** Retires every entry at once and voids every running load. */
  clear(): Promise<void> {
    if (this.#closed) return Promise.reject(new CacheClosedError('cache'));
    this.#clearHere('local');
    if (this.#l2 === undefined) return RESOLVED;
    return this.#tierCall('clear', (tier) => tier.clear());
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
      k = this.#key(key);
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
      const now = this.#hitClock.now();
      if (now < soft) {
        this.#policy.access(slot);
        this.#hits++;
        const value = store.values[slot] as V;
        const early = options?.earlyRefresh === undefined ? this.#early : this.#earlyFor(options.earlyRefresh);
        if (early.strategy !== 'none') this.#maybeRefreshEarly(k, slot, now, soft, early, loader, options);
        return Promise.resolve(value);
      }
      if (now < store.hardExpOf(slot)) return this.#serveStale(k, slot, now, soft, loader, options);
      store.remove(slot, 'expired');
    }
    if (this.#closed) return Promise.reject(new CacheClosedError('cache'));
    this.#misses++;
    return this.#flight(k, loader, options, undefined).join(options?.signal);
  }

  /**
   * Values of many keys, aligned with `keys`: hits are served here, keys already loading join
   * their load, and every other key goes to one call of `batchLoader`.
   * @throws HR_CACHE_INVALID_KEY, HR_CACHE_BATCH_RESULT (the loader's result has the wrong shape), HR_CACHE_CLOSED — as rejections
   * @example const users = await cache.getOrLoadMany(ids, (missing) => db.usersByIds(missing));
   */
  getOrLoadMany(keys: readonly K[], batchLoader: BatchLoader<V, K>, options?: LoadOptions<V>): Promise<(V | undefined)[]> {
    if (!Array.isArray(keys)) return Promise.reject(invalidOption('keys', keys, 'pass an array of keys'));
    if (typeof batchLoader !== 'function') return Promise.reject(invalidOption('batchLoader', batchLoader, 'pass a function (keys, { signal }) => Promise<Map | array>'));
    if (this.#closed) return Promise.reject(new CacheClosedError('cache'));
    return loadMany(this.#batchHost, keys, batchLoader, options);
  }

  /** Counters since creation. */
  stats(): CacheStats {
    const served = this.#hits + this.#staleHits;
    const total = served + this.#misses;
    return {
      hits: this.#hits,
      staleHits: this.#staleHits,
      misses: this.#misses,
      loads: this.#loads,
      loadErrors: this.#loadErrors,
      refreshes: this.#refreshes,
      staleSetsRefused: this.#refused,
      evictions: this.#store.evictions,
      expirations: this.#store.expirations,
      hitRatio: total === 0 ? 0 : served / total,
      size: this.#store.size,
      weight: this.#policy.weight,
      loadTime: this.#loadTime.snapshot(),
      l2Hits: this.#l2Hits,
      l2Errors: this.#l2Errors,
      l2: this.#l2?.stats(),
    };
  }

  /**
   * Subscribes to cache events (loads, refreshes, stale serves, removals, invalidations).
   * @example const sub = cache.on((e) => e.type === 'load-error' && log.warn(e)); sub.dispose();
   */
  on(listener: Listener<CacheEvent>): Disposable {
    return this.#events.on(listener);
  }

  /** Stops the sweep, aborts running loads (rejecting their waiters with HR_CACHE_CLOSED) and drops every entry. */
  close(): Promise<void> {
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    this.#sweepTimer?.cancel();
    const reason = new CacheClosedError('cache');
    for (const flight of this.#flights.values()) flight.abort(reason);
    this.#flights.clear();
    this.#store.clear();
    if (this.#l2 === undefined) return RESOLVED;
    return this.#attached.then(() => this.#l2!.close()).catch((error: unknown) => this.#tierFailed('close', error));
  }

  // ---- internals ----------------------------------------------------------------------------

  /** What `loadMany` needs from the cache, built once (no closure per call). */
  #makeBatchHost(): BatchHost<V, K> {
    return {
      key: (key: K): string => this.#key(key),
      lookup: (k: string): BatchLookup<V> => this.#lookupForBatch(k),
      flightOf: (k: string): Flight<V | undefined> | undefined => this.#flights.get(k),
      newFlight: (k: string, options: LoadOptions<V> | undefined, background: boolean): Flight<V | undefined> => {
        if (background) this.#refreshes++;
        return this.#newFlight(k, options, background);
      },
      loaded: (flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void => this.#loaded(flight, value, options),
      failed: (flight: Flight<V | undefined>, error: unknown): void => this.#failed(flight, error),
      countMiss: (): void => void this.#misses++,
      fallback: (k: string, error: unknown, signal: AbortSignal | undefined): V | undefined => this.#fallback(k, error, signal),
      tiered: this.#l2Present() ? (flights: readonly Flight<V | undefined>[]) => tieredBatch(this.#l2Host()!, flights, this.#fillFromTier) : undefined,
      storeTier: this.#l2Present()
        ? (flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined, token: string | undefined) =>
          storeBatchResult(this.#l2Host()!, flight, value, options, token)
        : undefined,
    };
  }

  /** A key's state for a batch: fresh, stale within stale-while-revalidate (refresh due or not), or missing. */
  #lookupForBatch(k: string): BatchLookup<V> {
    const store = this.#store;
    const slot = store.index.get(k);
    if (slot === undefined) return MISS;
    const soft = store.expiring ? store.softExp[slot]! : Infinity;
    const now = soft === Infinity ? 0 : this.#clock.now();
    if (soft === Infinity || now < soft) {
      this.#policy.access(slot);
      this.#hits++;
      return { kind: 'fresh', value: store.values[slot] as V };
    }
    if (now < soft + this.#swrMs) {
      this.#policy.access(slot);
      this.#staleHits++;
      const failure = this.#failures.get(k);
      const due = !(failure !== undefined && now < failure.retryAt) && !this.#flights.has(k);
      if (this.#events.active) this.#events.emit({ type: 'stale-served', key: k, reason: 'revalidate' });
      return { kind: due ? 'stale-refresh' : 'stale', value: store.values[slot] as V };
    }
    this.#expireIfHard(slot);
    return MISS;
  }

  /** Entry in [soft, hard): stale-while-revalidate, or a reload with stale-if-error fallback. */
  #serveStale(k: string, slot: number, now: number, soft: number, loader: Loader<V>, options: LoadOptions<V> | undefined): Promise<V | undefined> {
    const store = this.#store;
    const value = store.values[slot] as V;
    const failure = this.#failures.get(k);
    const backingOff = failure !== undefined && now < failure.retryAt;
    // While the tier's notifications are down, stale values back errors only: the reader reloads.
    const revalidate = !this.#tierDown && now < soft + this.#swrMs;
    if (revalidate || backingOff) {
      this.#policy.access(slot);
      this.#staleHits++;
      if (revalidate && !backingOff && !this.#closed && !this.#flights.has(k)) this.#refresh(k, loader, options, value, 'stale');
      if (this.#events.active) this.#events.emit({ type: 'stale-served', key: k, reason: revalidate ? 'revalidate' : 'error' });
      return Promise.resolve(value);
    }
    // Past the revalidation window only stale-if-error keeps the entry: the caller waits for a
    // reload and gets the stale value if it fails.
    if (this.#closed) return Promise.reject(new CacheClosedError('cache'));
    this.#misses++;
    const signal = options?.signal;
    return this.#flight(k, loader, options, value).join(signal).catch((error: unknown) => this.#fallback(k, error, signal));
  }

  /** Stale-if-error: the held value when the reload failed within the window; else rethrows. */
  #fallback(k: string, error: unknown, signal: AbortSignal | undefined): V | undefined {
    if (signal?.aborted === true && error === signal.reason) throw error;
    const store = this.#store;
    const slot = store.index.get(k);
    if (slot === undefined || this.#sieMs === 0) throw error;
    const now = this.#clock.now();
    if (now >= store.softExp[slot]! + this.#sieMs) throw error;
    this.#staleHits++;
    if (this.#events.active) this.#events.emit({ type: 'stale-served', key: k, reason: 'error' });
    return store.values[slot] as V;
  }

  #maybeRefreshEarly(k: string, slot: number, now: number, soft: number, early: ResolvedEarlyRefresh,
    loader: Loader<V>, options: LoadOptions<V> | undefined): void {
    const store = this.#store;
    const due = early.strategy === 'xfetch'
      ? shouldRefreshEarly(now, soft, store.loadMsOf(slot), early.beta, this.#random)
      : early.strategy === 'ahead' && now >= soft - (1 - early.at) * store.ttlOf(slot);
    if (!due || this.#closed || this.#flights.has(k)) return;
    const failure = this.#failures.get(k);
    if (failure !== undefined && now < failure.retryAt) return;
    this.#refresh(k, loader, options, store.values[slot] as V, early.strategy === 'xfetch' ? 'xfetch' : 'ahead');
  }

  #refresh(k: string, loader: Loader<V>, options: LoadOptions<V> | undefined, stale: V, reason: 'stale' | 'xfetch' | 'ahead'): void {
    this.#refreshes++;
    if (this.#events.active) this.#events.emit({ type: 'refresh', key: k, reason });
    // The background load is pinned: callers that come and go do not abort it. Its outcome is
    // recorded by #loaded/#failed, so the promise itself is not awaited.
    this.#flight(k, loader, options, stale, true).pin();
  }

  /** The running load of `k`, or a new one. */
  #flight(k: string, loader: Loader<V>, options: LoadOptions<V> | undefined, stale: V | undefined, background = false): Flight<V | undefined> {
    const running = this.#flights.get(k);
    if (running !== undefined) return running;
    const flight = this.#newFlight(k, options, background);
    if (typeof loader !== 'function') {
      this.#failed(flight, invalidOption('loader', loader, 'pass a function ({ key, signal, stale }) => value or promise'));
      return flight;
    }
    let result: Promise<V | undefined> | V | undefined;
    try {
      const context = new FlightContext(flight, stale);
      const host = this.#l2Host();
      if (host !== undefined) {
        // The tiered load settles the flight itself.
        tieredLoad(host, flight, loader, context, options);
        return flight;
      }
      result = loader(context);
    } catch (error) {
      this.#failed(flight, error);
      return flight;
    }
    if (isThenable(result)) {
      result.then((value) => this.#loaded(flight, value, options), (error: unknown) => this.#failed(flight, error));
    } else {
      this.#loaded(flight, result, options);
    }
    return flight;
  }

  #newFlight(k: string, options: LoadOptions<V> | undefined, background: boolean): Flight<V | undefined> {
    const flight = new Flight<V | undefined>(k, this.#clock.now(), this.#onAbandon);
    if (background) {
      flight.background = true;
      flight.pin();
    }
    const tags = options?.tags;
    flight.tags = tags === undefined ? undefined : typeof tags === 'function' ? 'dynamic' : tags;
    this.#flights.set(k, flight);
    return flight;
  }

  readonly #onAbandon = (flight: Flight<V | undefined>): void => {
    if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
  };

  #loaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void {
    if (flight.settled) return;
    const k = flight.key;
    const now = this.#clock.now();
    const durationMs = Math.max(0, now - flight.startedAt);
    if (!flight.servedByTier) {
      this.#loads++;
      this.#loadTime.record(durationMs);
    }
    if (this.#flights.get(k) === flight) this.#flights.delete(k);
    this.#failures.delete(k);
    if (flight.voided) {
      // The key was written or invalidated while this load ran: storing would resurrect old data.
      this.#refused++;
      if (this.#events.active) this.#events.emit({ type: 'stale-set-refused', key: k });
    } else {
      try {
        this.#storeLoaded(flight, value, options, durationMs);
      } catch (error) {
        flight.reject(error);
        return;
      }
    }
    if (this.#events.active) this.#events.emit({ type: 'load', key: k, durationMs, background: flight.background });
    flight.resolve(value);
  }

  #failed(flight: Flight<V | undefined>, thrown: unknown): void {
    if (flight.settled) return;
    const k = flight.key;
    if (this.#flights.get(k) === flight) this.#flights.delete(k);
    if (flight.aborted) {
      // Abandoned by every waiter: nobody is told, and it is no failure of the source.
      flight.reject(thrown);
      return;
    }
    const error = toError(thrown, `The loader of cache key ${JSON.stringify(k)}`);
    const now = this.#clock.now();
    this.#loadErrors++;
    if (this.#store.index.has(k)) {
      // A stale value is held: back off before the next reload so a failing source is not hammered.
      const state = this.#failures.get(k) ?? { failures: 0, retryAt: 0 };
      state.failures++;
      state.retryAt = now + backoffDelay(this.#options.backoff, state.failures, this.#random);
      this.#failures.set(k, state);
    }
    if (this.#events.active) {
      this.#events.emit({ type: 'load-error', key: k, durationMs: Math.max(0, now - flight.startedAt), error, background: flight.background });
    }
    flight.reject(error);
  }

  #storeLoaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined, loadMs: number): void {
    const k = flight.key;
    const fromTier = flight.tierEntry;
    const negative = value === undefined || value === null;
    if (fromTier !== undefined) {
      // Adopt the shared entry's expiry (wall clock), so every process expires it together.
      const now = this.#clock.now();
      const soft = fromTier.softExpiresAt === Infinity ? Infinity : now + (fromTier.softExpiresAt - this.#clock.wallNow());
      const weight = negative || this.#sizeOf === undefined ? 1 : this.#weigh(value, k);
      const ttl = soft === Infinity ? 0 : Math.max(0, soft - now);
      this.#store.write(k, value, weight, this.#tierDown ? Math.min(soft, now) : soft, negative, ttl, loadMs, fromTier.tags);
      return;
    }
    if (negative) {
      if (this.#negativeTtlMs > 0) {
        const now = this.#clock.now();
        const ttl = jitteredTtl(this.#negativeTtlMs, this.#jitter, this.#random);
        // A negative entry weighs 1 (entry or byte) and is never served stale.
        this.#store.write(k, value, 1, this.#tierDown ? now : now + ttl, true, ttl, loadMs, undefined);
      } else {
        this.#store.removeKey(k, 'deleted');
      }
      return;
    }
    const ttlMs = options?.ttl === undefined ? this.#ttlMs : positiveDuration(options.ttl, 'ttl');
    // A per-call early refresh needs the entry's TTL and load time recorded from now on.
    if (options?.earlyRefresh !== undefined) this.#earlyFor(options.earlyRefresh);
    this.#write(k, value, jitteredTtl(ttlMs, this.#jitter, this.#random), loadMs, resolveTags(options?.tags, value));
  }

  /** Writes L1 with an already jittered TTL; while notifications are down the entry is born stale. */
  #write(k: string, value: V, ttl: number, loadMs: number, tags: readonly string[] | undefined): void {
    let soft = Infinity;
    if (this.#tierDown) soft = this.#clock.now();
    else if (ttl !== Infinity) soft = this.#clock.now() + ttl;
    const weight = this.#sizeOf === undefined ? 1 : this.#weigh(value, k);
    this.#store.write(k, value, weight, soft, false, ttl === Infinity ? 0 : ttl, loadMs, tags);
  }

  /** The shared-tier entry for a value with an already jittered TTL (wall-clock expiry). */
  #entry(value: V | undefined, ttl: number, tags: readonly string[] | undefined, negative: boolean): TierEntry<V> {
    const wall = this.#clock.wallNow();
    const soft = ttl === Infinity ? Infinity : wall + ttl;
    const hard = soft === Infinity ? Infinity : negative ? soft : soft + this.#staleMs;
    return { value: value as V, softExpiresAt: soft, hardExpiresAt: hard, tags };
  }

  /** Sends a write or invalidation to the tier after the local effect; rejects (after an event) if it fails. */
  #tierCall(operation: string, call: (tier: SharedTier<V>) => Promise<unknown>): Promise<void> {
    return this.#attached.then(() => call(this.#l2!)).then(() => undefined, (error: unknown) => {
      this.#tierFailed(operation, error);
      throw error;
    });
  }

  #tierFailed(operation: string, error: unknown): void {
    this.#l2Errors++;
    if (this.#events.active) this.#events.emit({ type: 'tier-error', operation, error: toError(error, `The shared tier's ${operation}`) });
  }

  #l2Present(): boolean {
    return this.#l2 !== undefined;
  }

  /** The tiered-load host, built once. */
  #l2Host(): TierHost<V> | undefined {
    if (this.#l2 === undefined) return undefined;
    return this.#tierHost ??= {
      tier: this.#l2,
      attached: this.#attached,
      isAttached: () => this.#isAttached,
      fresh: (entry) => entry.softExpiresAt > this.#clock.wallNow(),
      entryFor: (value, options) => {
        if (value === undefined || value === null) {
          return this.#negativeTtlMs > 0 ? this.#entry(value, jitteredTtl(this.#negativeTtlMs, this.#jitter, this.#random), undefined, true) : undefined;
        }
        const ttlMs = options?.ttl === undefined ? this.#ttlMs : positiveDuration(options.ttl, 'ttl');
        return this.#entry(value, jitteredTtl(ttlMs, this.#jitter, this.#random), resolveTags(options?.tags, value), false);
      },
      tierFailed: (operation, error) => this.#tierFailed(operation, error),
      l2Hit: () => void this.#l2Hits++,
      loaded: (flight, value, options) => this.#loaded(flight, value, options),
      failed: (flight, error) => this.#failed(flight, error),
    };
  }

  readonly #fillFromTier = (flight: Flight<V | undefined>, entry: TierEntry<V>): void => {
    flight.tierEntry = entry;
    flight.servedByTier = true;
    this.#l2Hits++;
    this.#loaded(flight, entry.value, undefined);
  };

  /** Notifications from other processes. */
  readonly #tierListener: TierListener = {
    keyChanged: (key) => {
      this.#void(key);
      this.#failures.delete(key);
      this.#store.removeKey(key, 'invalidated');
      if (this.#events.active) this.#events.emit({ type: 'invalidated', scope: 'key', target: key, origin: 'remote' });
    },
    tagInvalidated: (tag) => void this.#invalidateTagHere(tag, 'remote'),
    cleared: () => this.#clearHere('remote'),
    connection: (up) => {
      this.#tierDown = !up;
      // Changes made elsewhere while we cannot hear them would go unnoticed: stop trusting L1.
      if (!up) this.#store.markAllStale(this.#clock.now());
      if (this.#events.active) this.#events.emit({ type: 'tier-connection', up });
    },
    codecError: (error) => this.#tierFailed('decode', error),
  };

  #invalidateTagHere(tag: string, origin: 'local' | 'remote'): number {
    const tagged = this.#store.keysWithTag(tag);
    let removed = 0;
    if (tagged !== undefined) {
      for (const k of [...tagged]) if (this.#store.removeKey(k, 'invalidated')) removed++;
    }
    for (const [k, flight] of this.#flights) {
      if (flight.tags === 'dynamic' || (flight.tags !== undefined && flight.tags.includes(tag))) this.#void(k);
    }
    if (this.#events.active) this.#events.emit({ type: 'invalidated', scope: 'tag', target: tag, origin });
    return removed;
  }

  #clearHere(origin: 'local' | 'remote'): void {
    for (const flight of this.#flights.values()) flight.voided = true;
    this.#flights.clear();
    this.#failures.clear();
    this.#store.clear();
    if (this.#events.active) this.#events.emit({ type: 'invalidated', scope: 'clear', target: this.namespace, origin });
  }

  #weigh(value: V, k: string): number {
    const size = this.#sizeOf!(value, k);
    if (!(Number.isInteger(size) && size >= 0 && size < 2 ** 32)) {
      throw invalidOption('sizeOf', size, `sizeOf returned this for key ${JSON.stringify(k)}; it must return a non-negative integer number of bytes below 2^32`);
    }
    return size;
  }

  #expireIfHard(slot: number): void {
    if (this.#clock.now() >= this.#store.hardExpOf(slot)) this.#store.remove(slot, 'expired');
  }

  #void(k: string): void {
    const flight = this.#flights.get(k);
    if (flight === undefined) return;
    flight.voided = true;
    this.#flights.delete(k);
  }

  #earlyFor(raw: EarlyRefresh | false): ResolvedEarlyRefresh {
    if (raw !== this.#lastEarlyRaw) {
      this.#lastEarly = resolveEarlyRefresh(raw, 'earlyRefresh');
      this.#lastEarlyRaw = raw;
      if (this.#lastEarly.strategy !== 'none') this.#store.trackEarlyRefresh();
    }
    return this.#lastEarly;
  }

  #liveKey(key: K): string {
    if (this.#closed) throw new CacheClosedError('cache');
    return typeof key === 'string' && this.#keyFn === undefined ? key : this.#key(key);
  }

  #key(key: K): string {
    const keyFn = this.#keyFn;
    if (keyFn === undefined) {
      if (typeof key === 'string') return key;
      throw new InvalidKeyError(key, false);
    }
    const k = keyFn(key);
    if (typeof k !== 'string') throw new InvalidKeyError(k, true);
    return k;
  }

  readonly #onRemoved = (key: string, _value: unknown, reason: RemovalReason): void => {
    if (this.#events.active) this.#events.emit({ type: 'removed', key, reason });
  };

  #scheduleSweep(): void {
    this.#sweepTimer = this.#clock.setTimer(this.#options.sweepIntervalMs, () => {
      if (this.#closed) return;
      this.#store.sweep(this.#clock.now(), SWEEP_BUDGET);
      this.#scheduleSweep();
    });
  }
}

const MISS: BatchLookup<never> = { kind: 'miss', value: undefined };

function resolveTags<V>(tags: Tags<V> | undefined, value: V): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  const list = typeof tags === 'function' ? tags(value) : tags;
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' && t !== '')) {
    throw invalidOption('tags', list, 'use an array of non-empty strings (or a function of the value returning one)');
  }
  return list.length === 0 ? undefined : list;
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Creates an in-process cache.
 * @param options - see {@link CacheOptions}; all optional (default 10,000 entries, W-TinyLFU, no TTL)
 * @throws HR_CACHE_INVALID_OPTION on any invalid option, naming it, its value and the fix
 * @example
 * ```ts
 * const cache = createCache<User>({ maxEntries: 50_000, ttl: '30s', staleWhileRevalidate: '10s', jitter: 0.1 });
 * const user = await cache.getOrLoad(`user:${id}`, ({ signal }) => db.findUser(id, { signal }));
 * ```
 */
export function createCache<V, K = string>(options: CacheOptions<V, K> = {}): Cache<V, K> {
  return new Cache<V, K>(options);
}
