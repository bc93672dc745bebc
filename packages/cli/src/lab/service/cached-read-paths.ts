/**
 * The two cached read paths, both on headroom/cache: the module's `getOrLoad` (single-flight,
 * TTL, W-TinyLFU eviction), and plain cache-aside over the same cache (`get`; on a miss load,
 * then `set`) — the pattern most services start with, kept as the baseline that shows what
 * single-flight saves when a hot key expires. Products of the phase's hot key get their own TTL.
 *
 * With `--redis`, each replica's in-process cache sits on the module's Redis tier (`redisTier`):
 * entries are shared by every replica, a write's invalidation reaches them all, and a missing key
 * is loaded by the one replica holding its lease. Each phase uses its own namespace, so every
 * phase starts cold in Redis too.
 *
 * Both can replay past traffic into their cache before a steady-state phase (`replay`): misses go
 * straight to the store, and time is whatever the warm-up's clock says (see warp-clock.ts); the
 * tier times its calls in real time (`WarpClock.tier`).
 */
import { Cache, redisTier } from 'headroom/cache';
import type { Random } from 'headroom';
import type { Product } from './catalog-data.js';
import { type ReadPath, type ReadPathContext, loadProduct } from './read-path.js';
import type { WarpClock } from './warp-clock.js';

function productCache(ctx: ReadPathContext, clock: WarpClock, random: Random) {
  const redis = ctx.redis;
  return new Cache<Product, number>({
    maxEntries: Math.max(1, ctx.config.cache.maxEntries),
    ttl: ctx.config.cache.ttlMs,
    key: (id) => String(id),
    namespace: `products.${ctx.config.phase}`.replace(/[^\w.:-]/g, '-').slice(0, 64),
    clock,
    random: random.fork('cache'),
    ...(redis === null
      ? {}
      : {
          l2: redisTier<Product>({
            client: redis.client,
            prefix: redis.prefix,
            clock: clock.tier,
            ...(redis.timeoutMs === undefined ? {} : { timeout: redis.timeoutMs }),
          }),
        }),
  });
}

function ttlOf(ctx: ReadPathContext, id: number): number {
  const hot = ctx.config.cache.hotKey;
  return hot !== null && hot.id === id ? hot.ttlMs : ctx.config.cache.ttlMs;
}

/** Reads through `cache.getOrLoad`: concurrent misses of one key share one store query. */
export function singleFlightReadPath(ctx: ReadPathContext, clock: WarpClock, random: Random): ReadPath {
  const cache = productCache(ctx, clock, random);
  return {
    read: (id) => cache.getOrLoad(id, () => loadProduct(ctx, id), { ttl: ttlOf(ctx, id) }),
    invalidate: async (id) => {
      await cache.delete(id);
    },
    close: () => cache.close(),
    replay: async (id, write) => {
      if (write) {
        await cache.delete(id);
        return false;
      }
      let queried = false;
      await cache.getOrLoad(
        id,
        () => {
          queried = true;
          return ctx.store.getProduct(id);
        },
        { ttl: ttlOf(ctx, id) },
      );
      return queried;
    },
  };
}

/** Naive cache-aside over the same cache: every concurrent miss queries the store. */
export function cacheAsideReadPath(ctx: ReadPathContext, clock: WarpClock, random: Random): ReadPath {
  const cache = productCache(ctx, clock, random);
  return {
    read: async (id) => {
      const cached = await cache.get(id);
      if (cached !== undefined) return cached;
      const product = await loadProduct(ctx, id);
      if (product !== undefined) await cache.set(id, product, { ttl: ttlOf(ctx, id) });
      return product;
    },
    invalidate: async (id) => {
      await cache.delete(id);
    },
    close: () => cache.close(),
    replay: async (id, write) => {
      if (write) {
        await cache.delete(id);
        return false;
      }
      if ((await cache.get(id)) !== undefined) return false;
      const product = await ctx.store.getProduct(id);
      if (product !== undefined) await cache.set(id, product, { ttl: ttlOf(ctx, id) });
      return true;
    },
  };
}
