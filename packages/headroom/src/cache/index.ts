/**
 * headroom/cache — a cache that is fast on a hit, never stampedes on a miss, serves stale data
 * only within the budget you set, and never stores a value that was invalidated while loading.
 * See docs/cache.md.
 */
export { Cache } from './cache.js';
export type {
  CacheOptions,
  SetOptions,
  LoadOptions,
  Loader,
  LoaderContext,
  BatchLoader,
  BatchLoaderContext,
  Tags,
  EarlyRefresh,
  CacheStats,
  CacheEvent,
  CacheHealth,
  RemovalReason,
} from './types.js';
export type { EvictionKind, EvictionPolicy } from './eviction/policy.js';
export { evictionPolicy, type EvictionPolicyOptions } from './eviction/factory.js';
export { InvalidKeyError, CacheClosedError, BatchResultError, WriteBehindError } from './errors.js';
export type { Source, SourceContext, CachedSource } from './write/source.js';
export { writeThrough } from './write/through.js';
export { writeBehind, type WriteBehind, type WriteBehindOptions, type WriteBehindEvent, type WriteBehindStats } from './write/behind.js';
export { refreshAhead, type RefreshAheadOptions } from './write/refresh-ahead.js';
export type { SharedTier, TierEntry, TierListener, TierReader, TierStats, TierHealth, ChannelState, LeaseOutcome } from './tier.js';
export { redisTier, type RedisTierOptions, type RedisLike, type IoRedisLike } from './adapters/redis-tier.js';
export { jsonCodec, bytesCodec, safeJsonParse, type Codec } from './adapters/codec.js';
export type { CircuitState } from './circuit-breaker.js';
export { TierTimeoutError, CircuitOpenError, TierError, CodecError } from './errors.js';
export { durableWriteBehind, type DurableWriteBehind, type DurableWriteBehindOptions } from './adapters/redis-write-behind.js';
