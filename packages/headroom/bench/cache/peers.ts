/**
 * The peer caches the benchmarks compare against, built the same way in every suite.
 */
import { LRUCache } from 'lru-cache';
import { createLRU } from 'lru.min';
import { LRUCache as MnemonistLru } from 'mnemonist';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache as createCacheManager } from 'cache-manager';
import { Cacheable } from 'cacheable';

/** lru-cache (isaacs), bounded by entries. */
export function lruCache<V extends object | number | string>(max: number, ttlMs?: number): LRUCache<string, V> {
  return ttlMs === undefined ? new LRUCache<string, V>({ max }) : new LRUCache<string, V>({ max, ttl: ttlMs });
}

/** lru.min, bounded by entries. */
export function lruMin<V>(max: number): ReturnType<typeof createLRU<string, V>> {
  return createLRU<string, V>({ max });
}

/** mnemonist's LRUCache (typed-array LRU). */
export function mnemonist<V>(max: number): MnemonistLru<string, V> {
  return new MnemonistLru<string, V>(max);
}

/** bentocache with one in-memory L1 (its own lru-cache underneath). */
export function bento(maxItems: number): BentoCache<{ memory: ReturnType<typeof bentostore> }> {
  return new BentoCache({
    default: 'memory',
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems })) },
  });
}

/** cache-manager v7 with its default in-memory Keyv store. */
export function cacheManager(): ReturnType<typeof createCacheManager> {
  return createCacheManager();
}

/** cacheable with its default in-memory primary store. */
export function cacheable(): Cacheable {
  return new Cacheable();
}
