/**
 * Options of the Redis tier and their validation: every bad value throws HR_CACHE_INVALID_OPTION
 * at construction, naming the option, the value and the fix.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import type { Duration } from '../../core/duration.js';
import { resolveBackoff, type BackoffOptions } from '../../core/backoff.js';
import { defaultRandom, type Random } from '../../core/random.js';
import type { CircuitBreakerOptions, CircuitState } from '../circuit-breaker.js';
import { invalidOption } from '../errors.js';
import { positiveDuration } from '../options.js';
import { jsonCodec, type Codec } from './codec.js';
import { ioRedisConnection, isIoRedis, type IoRedisLike } from './client-ioredis.js';
import { isNodeRedis, nodeRedisConnection, type RedisLike } from './client-node-redis.js';
import type { RedisConnection } from './redis-connection.js';
import { NAME_PATTERN } from './redis-keys.js';

/** Options of {@link redisTier}. */
export interface RedisTierOptions<V> {
  /**
   * A connected client: node-redis (`createClient` / `createCluster` from `redis`) or ioredis
   * (`Redis` / `Cluster` from `ioredis`), with an `error` listener attached (both
   * emit `error` on connection problems and reconnect by themselves; without a listener Node
   * ends the process). Its AUTH/TLS settings carry over to the connections the tier opens. The
   * tier does not close it: close the cache, then the client.
   */
  readonly client: RedisLike | IoRedisLike;
  /** Prefix of every key. Default `'hr'`. */
  readonly prefix?: string;
  /** Value codec. Default JSON (parsed without prototype pollution). */
  readonly codec?: Codec<V>;
  /** How other processes' changes arrive: `'pubsub'` (default) or `'tracking'` (RESP3 client tracking, BCAST). */
  readonly invalidation?: 'pubsub' | 'tracking';
  /** Bound on every Redis call. Default '250ms'. */
  readonly timeout?: Duration;
  /**
   * How often the invalidation channel must prove it delivers (a probe through it, answered
   * within `timeout`); until it does again, L1 is not trusted. Default '1s'.
   */
  readonly heartbeat?: Duration;
  /**
   * Circuit breaker: opens after `failureThreshold` consecutive failures (default 5) for the
   * `backoff`'s delays, default `{ initial: '1s', max: '30s', multiplier: 2, jitter: 'none' }`.
   */
  readonly circuit?: { readonly failureThreshold?: number; readonly backoff?: BackoffOptions };
  /** The longest one load holds a key's lease (it is kept alive while the load runs, up to this). Default '10s'. */
  readonly leaseTtl?: Duration;
  /**
   * How long a lease outlives the process that stopped renewing it — one that died, or a lease
   * request that timed out and ran late on a stalled server. The holder renews every third of
   * it. Default 4 × `timeout`, at least 1 s, at most `leaseTtl`; it must exceed `timeout`.
   */
  readonly leaseGrace?: Duration;
  /** Told about every circuit state change. */
  readonly onCircuitChange?: (state: CircuitState) => void;
  /** Time source (monotonic for timeouts, wall for expiry). Default the system clock. */
  readonly clock?: Clock;
  /** Draws the circuit backoff's jitter (only when `circuit.backoff.jitter` is not `'none'`). Default `defaultRandom()`. */
  readonly random?: Random;
}

/** Options after validation, durations in ms. */
export interface ResolvedRedisTierOptions<V> {
  /** The client behind the tier's seam. */
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly codec: Codec<V>;
  readonly mode: 'pubsub' | 'tracking';
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
  readonly breaker: CircuitBreakerOptions;
  readonly leaseTtlMs: number;
  readonly leaseGraceMs: number;
  readonly onCircuitChange: ((state: CircuitState) => void) | undefined;
  readonly clock: Clock;
}

const KNOWN = new Set([
  'client',
  'prefix',
  'codec',
  'invalidation',
  'timeout',
  'heartbeat',
  'circuit',
  'leaseTtl',
  'leaseGrace',
  'onCircuitChange',
  'clock',
  'random',
]);

/**
 * Validates and fills defaults.
 * @throws HR_CACHE_INVALID_OPTION for any invalid option (unknown names included, to catch typos)
 */
export function resolveRedisTierOptions<V>(options: RedisTierOptions<V>): ResolvedRedisTierOptions<V> {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('redis', options, 'pass an options object, e.g. redisTier({ client })');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name))
      throw invalidOption(
        `redis.${name}`,
        (options as unknown as Record<string, unknown>)[name],
        `remove it; known options are ${[...KNOWN].join(', ')}`,
      );
  }
  const client: unknown = options.client;
  const connection = isNodeRedis(client) ? nodeRedisConnection(client) : isIoRedis(client) ? ioRedisConnection(client) : undefined;
  if (connection === undefined) {
    throw invalidOption(
      'redis.client',
      client,
      'pass a connected node-redis client or cluster (createClient / createCluster from redis), or an ioredis Redis or Cluster',
    );
  }
  const prefix = options.prefix ?? 'hr';
  if (typeof prefix !== 'string' || !NAME_PATTERN.test(prefix))
    throw invalidOption('redis.prefix', prefix, 'use 1–64 characters from letters, digits, _ . : -');
  const mode = options.invalidation ?? 'pubsub';
  if (mode !== 'pubsub' && mode !== 'tracking') throw invalidOption('redis.invalidation', mode, "use 'pubsub' or 'tracking'");
  const circuit = options.circuit ?? {};
  for (const name of Object.keys(circuit)) {
    if (name !== 'failureThreshold' && name !== 'backoff') {
      throw invalidOption(
        `redis.circuit.${name}`,
        (circuit as Record<string, unknown>)[name],
        "use { failureThreshold, backoff: { initial: '1s', max: '30s' } }",
      );
    }
  }
  const failureThreshold = circuit.failureThreshold ?? 5;
  if (!(Number.isInteger(failureThreshold) && failureThreshold > 0))
    throw invalidOption('redis.circuit.failureThreshold', failureThreshold, 'use a positive integer');
  const backoff = resolveBackoff(circuit.backoff, 'cache.redis.circuit.backoff', {
    initialMs: 1_000,
    maxMs: 30_000,
    multiplier: 2,
    jitter: 'none',
  });
  const timeoutMs = positiveDuration(options.timeout ?? '250ms', 'redis.timeout');
  const leaseTtlMs = positiveDuration(options.leaseTtl ?? '10s', 'redis.leaseTtl');
  const leaseGraceMs =
    options.leaseGrace === undefined
      ? Math.min(leaseTtlMs, Math.max(1000, 4 * timeoutMs))
      : positiveDuration(options.leaseGrace, 'redis.leaseGrace');
  if (leaseGraceMs > leaseTtlMs) throw invalidOption('redis.leaseGrace', options.leaseGrace, `use at most leaseTtl (${leaseTtlMs} ms)`);
  if (leaseGraceMs <= timeoutMs) {
    throw invalidOption(
      options.leaseGrace === undefined ? 'redis.leaseTtl' : 'redis.leaseGrace',
      options.leaseGrace ?? options.leaseTtl,
      `a lease must outlast a renewal call: use a grace longer than timeout (${timeoutMs} ms), ideally 3–4× it`,
    );
  }
  return {
    connection,
    prefix,
    mode,
    timeoutMs,
    leaseTtlMs,
    leaseGraceMs,
    codec: options.codec ?? jsonCodec<V>(),
    heartbeatMs: positiveDuration(options.heartbeat ?? '1s', 'redis.heartbeat'),
    breaker: { failureThreshold, backoff, random: (options.random ?? defaultRandom()).fork('circuit') },
    onCircuitChange: options.onCircuitChange,
    clock: options.clock ?? systemClock,
  };
}
