/**
 * Public types of headroom/cache: options, per-call options, loader context, stats and events.
 */
import type { BackoffOptions } from '../core/backoff.js';
import type { Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import type { HistogramSnapshot } from '../core/histogram.js';
import type { Random } from '../core/random.js';
import type { EvictionKind } from './eviction/policy.js';
import type { SharedTier, TierHealth, TierStats } from './tier.js';

/** Early refresh of values that are still fresh. */
export type EarlyRefresh =
  /** XFetch (Vattani et al. 2015): probabilistic, earlier for slow loaders. `beta` default 1. */
  | { readonly strategy: 'xfetch'; readonly beta?: number }
  /** Refresh-ahead: the first read after `at` × TTL of a value's life refreshes it (default 0.8). */
  | { readonly strategy: 'ahead'; readonly at?: number };

/** Tags of an entry: a list, or a function of the loaded value (evaluated when it is stored). */
export type Tags<V> = readonly string[] | ((value: V) => readonly string[]);

/**
 * Options of {@link Cache}.
 * @typeParam K - the key type; anything but `string` needs a `key` function
 */
export interface CacheOptions<V, K = string> {
  /** Maximum number of entries. Default 10,000 when `maxBytes` is not given. */
  readonly maxEntries?: number;
  /** Maximum total size in bytes, measured by `sizeOf`; replaces `maxEntries`. */
  readonly maxBytes?: number;
  /** Size of one entry in bytes (required with `maxBytes`); must return a non-negative integer. */
  readonly sizeOf?: (value: V, key: string) => number;
  /** Eviction policy: `'tinylfu'` (default, W-TinyLFU) or `'lru'`. */
  readonly eviction?: EvictionKind;
  /** Soft TTL: how long a value is fresh. Default: never expires. */
  readonly ttl?: Duration;
  /** TTL jitter, a fraction in [0, 1): each TTL is scaled by a random factor in [1−j, 1+j). Default 0. */
  readonly jitter?: number;
  /** After the soft TTL, serve the stale value for this long while one background load refreshes it. Default 0. */
  readonly staleWhileRevalidate?: Duration;
  /** After the soft TTL, serve the stale value for this long when reloading fails. Default 0. */
  readonly staleIfError?: Duration;
  /**
   * Backoff between reloads of a key that keeps failing inside `staleIfError`. Default
   * `{ initial: '250ms', max: '30s', multiplier: 2, jitter: 'equal' }` (equal jitter keeps half of each delay as a floor).
   */
  readonly errorBackoff?: BackoffOptions;
  /** Refresh popular values before they turn stale. Default off. */
  readonly earlyRefresh?: EarlyRefresh | false;
  /** Cache `undefined`/`null` loader results for this long. Default 0 (off). */
  readonly negativeTtl?: Duration;
  /** Name of this cache's key space (prefix in shared tiers, label in events). Default `'default'`. */
  readonly namespace?: string;
  /** Turns a non-string key into the string the cache stores. Required when `K` is not `string`. */
  readonly key?: (key: K) => string;
  /** Every interval, remove hard-expired entries (a bounded slice per run). Default 0: expiry on access only. */
  readonly sweepInterval?: Duration;
  /** A shared tier under this process's cache (L2), e.g. `redisTier({ client })`. Default none. */
  readonly l2?: SharedTier<V>;
  /**
   * The cache's one time source: TTL hits, expiry times, load durations and its timers. Default
   * `new CoarseClock()`, the system clock read at most once per ms (expiry seen up to 1 ms late,
   * load times to about 1 ms); pass `systemClock` for exact readings at the cost of one
   * `performance.now()` per TTL hit, or a `VirtualClock` in tests.
   */
  readonly clock?: Clock;
  /** Randomness for jitter, XFetch and admission. Default seeded from `HEADROOM_SEED` or entropy. */
  readonly random?: Random;
}

/** Options of one `set`. */
export interface SetOptions<V> {
  /** Soft TTL of this entry; default the cache's `ttl`. */
  readonly ttl?: Duration;
  /** Tags for `invalidateTag`. */
  readonly tags?: Tags<V>;
}

/** Options of one `getOrLoad` / `getOrLoadMany`. */
export interface LoadOptions<V> extends SetOptions<V> {
  /** Cancels this caller's wait only; the shared load stops when every waiter has gone. */
  readonly signal?: AbortSignal;
  /** Overrides the cache's `earlyRefresh` for this call. */
  readonly earlyRefresh?: EarlyRefresh | false;
}

/** What a loader receives. */
export interface LoaderContext<V> {
  /** The cache key (after the key function). */
  readonly key: string;
  /** Aborted when every caller waiting for this load has gone (or the cache closes). */
  readonly signal: AbortSignal;
  /** The stale value being refreshed, if any. */
  readonly stale: V | undefined;
}

/**
 * Loads one missing value. `undefined` (and `null`, if `V` admits it) means "absent": cached
 * only with `negativeTtl`.
 */
export type Loader<V> = (context: LoaderContext<V>) => Promise<V | undefined> | V | undefined;

/** What a batch loader receives. */
export interface BatchLoaderContext {
  /** Aborted when every caller waiting for this batch has gone. */
  readonly signal: AbortSignal;
}

/**
 * Loads many missing values at once: resolves to a Map from key to value (missing keys are
 * absent) or to an array aligned with `keys`.
 */
export type BatchLoader<V, K> = (
  keys: readonly K[],
  context: BatchLoaderContext,
) => Promise<ReadonlyMap<K, V | undefined> | readonly (V | undefined)[]>;

/** Counters since creation (or the last `resetStats`). */
export interface CacheStats {
  /** Fresh values served from this process. */
  readonly hits: number;
  /** Stale values served (stale-while-revalidate, stale-if-error). */
  readonly staleHits: number;
  /** Lookups that found nothing servable in this process. */
  readonly misses: number;
  /** Loader runs that completed (foreground and background). */
  readonly loads: number;
  /** Loader runs that failed. */
  readonly loadErrors: number;
  /** Background refreshes started (stale-while-revalidate, XFetch, refresh-ahead). */
  readonly refreshes: number;
  /** Loaded values not stored because the key was invalidated while loading. */
  readonly staleSetsRefused: number;
  /** Entries evicted for room. */
  readonly evictions: number;
  /** Entries removed because they hard-expired. */
  readonly expirations: number;
  /** (hits + staleHits) / (hits + staleHits + misses), 0 when nothing was read. */
  readonly hitRatio: number;
  /** Entries held in this process. */
  readonly size: number;
  /** Total weight held (entries, or bytes with `maxBytes`). */
  readonly weight: number;
  /** Loader durations, ms. */
  readonly loadTime: HistogramSnapshot;
  /** Values served by the shared tier (L1 misses that L2 answered). */
  readonly l2Hits: number;
  /** Shared-tier failures seen by this cache (each also a `tier-error` event). */
  readonly l2Errors: number;
  /** The shared tier's own counters, when there is one. */
  readonly l2: TierStats | undefined;
}

/**
 * Whether a cache can be relied on now ({@link Cache.health}), for readiness probes and alerts.
 */
export interface CacheHealth {
  /**
   * `ok`: no shared tier, or its circuit is closed and its invalidation channel live;
   * `degraded`: the tier is unavailable or its channel is not live — the cache still answers,
   * from the loader (L1 only backs stale-if-error), so the source takes the reads;
   * `closed`: `close()` was called.
   */
  readonly status: 'ok' | 'degraded' | 'closed';
  /** The shared tier's breaker and channel, when there is one. */
  readonly tier: TierHealth | undefined;
}

/** Why an entry left the cache. */
export type RemovalReason = 'evicted' | 'expired' | 'rejected' | 'too-large' | 'deleted' | 'invalidated' | 'replaced';

/** Events (subscribe with `cache.on`); built only while someone listens. */
export type CacheEvent =
  | { readonly type: 'load'; readonly key: string; readonly durationMs: number; readonly background: boolean }
  | { readonly type: 'load-error'; readonly key: string; readonly durationMs: number; readonly error: Error; readonly background: boolean }
  | { readonly type: 'refresh'; readonly key: string; readonly reason: 'stale' | 'xfetch' | 'ahead' }
  | { readonly type: 'stale-served'; readonly key: string; readonly reason: 'revalidate' | 'error' }
  | { readonly type: 'removed'; readonly key: string; readonly reason: RemovalReason }
  | { readonly type: 'invalidated'; readonly scope: 'key' | 'tag' | 'clear'; readonly target: string; readonly origin: 'local' | 'remote' }
  | { readonly type: 'stale-set-refused'; readonly key: string }
  | { readonly type: 'tier-error'; readonly operation: string; readonly error: Error }
  | { readonly type: 'tier-connection'; readonly up: boolean };
