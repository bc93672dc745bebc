/**
 * Refresh-ahead: a value read in the last part of its life (after `at` × its TTL) is reloaded
 * in the background while the current one keeps being served, so popular keys — the ones read
 * near expiry — never expire under their readers, while keys nobody reads are left to expire.
 * Caffeine's `refreshAfterWrite` works the same way. Writes are write-through.
 *
 * Needs a finite `ttl` on the cache (without expiry there is nothing to refresh ahead of).
 */
import type { Cache } from '../cache.js';
import { invalidOption } from '../errors.js';
import type { EarlyRefresh } from '../types.js';
import type { CachedSource, Source } from './source.js';
import { writeThrough } from './through.js';

/** Options of {@link refreshAhead}. */
export interface RefreshAheadOptions {
  /** Fraction of the TTL after which a read triggers a refresh, in (0, 1). Default 0.8. */
  readonly at?: number;
}

/**
 * Puts `cache` in front of `source`, refreshing popular values before they expire.
 * @throws HR_CACHE_INVALID_OPTION when `at` is not in (0, 1)
 * @example
 * ```ts
 * const prices = refreshAhead(new Cache<Price>({ ttl: '10s' }), priceSource, { at: 0.75 });
 * await prices.get('sku-1'); // after 7.5 s, the next read refreshes in the background
 * ```
 */
export function refreshAhead<V>(cache: Cache<V, string>, source: Source<V>, options: RefreshAheadOptions = {}): CachedSource<V> {
  const at = options.at ?? 0.8;
  if (!(typeof at === 'number' && at > 0 && at < 1))
    throw invalidOption('refreshAhead.at', at, 'use a fraction of the TTL in (0, 1), e.g. 0.8');
  const early: EarlyRefresh = { strategy: 'ahead', at };
  // Built once: a read without a signal allocates nothing here.
  const plain = { earlyRefresh: early };
  const through = writeThrough(cache, source);
  const load = ({ key, signal }: { key: string; signal: AbortSignal }): Promise<V | undefined> => source.get(key, { signal });
  return {
    get: (key, opts) => cache.getOrLoad(key, load, opts?.signal === undefined ? plain : { earlyRefresh: early, signal: opts.signal }),
    set: through.set,
    delete: through.delete,
  };
}
