/**
 * Validation of {@link CacheOptions}: every bad value throws HR_CACHE_INVALID_OPTION at
 * construction, naming the option, the value and the fix.
 */
import type { Clock } from '../core/clock.js';
import { CoarseClock } from '../core/coarse-clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { defaultRandom, type Random } from '../core/random.js';
import { invalidOption } from './errors.js';
import type { EvictionKind } from './eviction/policy.js';
import { resolveBackoff, type Backoff } from '../core/backoff.js';
import type { SharedTier } from './tier.js';
import type { CacheOptions, EarlyRefresh } from './types.js';

/**
 * The clock of a cache created without one: the system clock read at most once per millisecond,
 * because every TTL hit compares an expiry with the time and `performance.now()` costs about as
 * much as the rest of a hit (see core/coarse-clock.ts). Shared by every such cache: one timer per
 * millisecond while any of them is read, none when idle.
 */
const DEFAULT_CLOCK: Clock = new CoarseClock();

/** Early refresh after validation. */
export type ResolvedEarlyRefresh =
  | { readonly strategy: 'none' }
  | { readonly strategy: 'xfetch'; readonly beta: number }
  | { readonly strategy: 'ahead'; readonly at: number };

/** Options after validation, all durations in ms. */
export interface ResolvedOptions<V, K> {
  readonly maximum: number;
  readonly weighted: boolean;
  readonly sizeOf: ((value: V, key: string) => number) | undefined;
  readonly eviction: EvictionKind;
  readonly ttlMs: number;
  readonly jitter: number;
  readonly swrMs: number;
  readonly sieMs: number;
  readonly backoff: Backoff;
  readonly earlyRefresh: ResolvedEarlyRefresh;
  readonly negativeTtlMs: number;
  readonly namespace: string;
  readonly keyFn: ((key: K) => string) | undefined;
  readonly sweepIntervalMs: number;
  readonly l2: SharedTier<V> | undefined;
  readonly clock: Clock;
  readonly random: Random;
}

const KNOWN = new Set([
  'maxEntries',
  'maxBytes',
  'sizeOf',
  'eviction',
  'ttl',
  'jitter',
  'staleWhileRevalidate',
  'staleIfError',
  'errorBackoff',
  'earlyRefresh',
  'negativeTtl',
  'namespace',
  'key',
  'sweepInterval',
  'l2',
  'clock',
  'random',
]);

/**
 * Validates and fills defaults.
 * @throws HR_CACHE_INVALID_OPTION for any invalid option (unknown names included, to catch typos)
 */
export function resolveOptions<V, K>(options: CacheOptions<V, K>): ResolvedOptions<V, K> {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', options, 'pass an options object, e.g. { maxEntries: 10_000 }');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name))
      throw invalidOption(name, (options as Record<string, unknown>)[name], `remove it; known options are ${[...KNOWN].join(', ')}`);
  }
  const { maxEntries, maxBytes, sizeOf } = options;
  if (maxEntries !== undefined && maxBytes !== undefined) {
    throw invalidOption('maxBytes', maxBytes, 'give either maxEntries or maxBytes (with sizeOf), not both');
  }
  let maximum = 10_000;
  let weighted = false;
  if (maxBytes !== undefined) {
    if (!isPositiveInt(maxBytes) || maxBytes > 2 ** 48) throw invalidOption('maxBytes', maxBytes, 'use a positive integer number of bytes');
    if (typeof sizeOf !== 'function') throw invalidOption('sizeOf', sizeOf, 'with maxBytes, pass sizeOf: (value, key) => bytes');
    maximum = maxBytes;
    weighted = true;
  } else if (maxEntries !== undefined) {
    if (!isPositiveInt(maxEntries) || maxEntries > 2 ** 26)
      throw invalidOption('maxEntries', maxEntries, 'use a positive integer up to 67,108,864');
    maximum = maxEntries;
  }
  if (sizeOf !== undefined && !weighted)
    throw invalidOption('sizeOf', sizeOf, 'sizeOf only applies with maxBytes; add maxBytes or remove sizeOf');
  const eviction = options.eviction ?? 'tinylfu';
  if (eviction !== 'tinylfu' && eviction !== 'lru') throw invalidOption('eviction', eviction, "use 'tinylfu' or 'lru'");
  const jitter = options.jitter ?? 0;
  if (!(typeof jitter === 'number' && jitter >= 0 && jitter < 1))
    throw invalidOption('jitter', jitter, 'use a fraction from 0 (no jitter) up to, not including, 1, e.g. 0.1');
  const ttlMs = options.ttl === undefined ? Infinity : positiveDuration(options.ttl, 'ttl');
  const namespace = options.namespace ?? 'default';
  if (typeof namespace !== 'string' || !/^[\w.:-]{1,64}$/.test(namespace)) {
    throw invalidOption('namespace', namespace, 'use 1–64 characters from letters, digits, _ . : -');
  }
  if (options.key !== undefined && typeof options.key !== 'function')
    throw invalidOption('key', options.key, 'pass a function (key) => string');
  const backoff = resolveBackoff(options.errorBackoff, 'cache.errorBackoff', {
    initialMs: 250,
    maxMs: 30_000,
    multiplier: 2,
    jitter: 'equal',
  });
  const l2 = options.l2;
  if (l2 !== undefined && (typeof l2 !== 'object' || l2 === null || typeof l2.attach !== 'function')) {
    throw invalidOption('l2', l2, 'pass a shared tier such as redisTier({ client })');
  }
  return {
    maximum,
    weighted,
    eviction,
    ttlMs,
    jitter,
    backoff,
    namespace,
    sizeOf: weighted ? sizeOf : undefined,
    swrMs: duration(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    sieMs: duration(options.staleIfError, 'staleIfError'),
    earlyRefresh: resolveEarlyRefresh(options.earlyRefresh, 'earlyRefresh'),
    negativeTtlMs: duration(options.negativeTtl, 'negativeTtl'),
    keyFn: options.key,
    sweepIntervalMs: duration(options.sweepInterval, 'sweepInterval'),
    l2,
    clock: options.clock ?? DEFAULT_CLOCK,
    random: options.random ?? defaultRandom(),
  };
}

/**
 * Validates an `earlyRefresh` value (cache-wide or per call).
 * @throws HR_CACHE_INVALID_OPTION on an unknown strategy or an out-of-range parameter
 */
export function resolveEarlyRefresh(value: EarlyRefresh | false | undefined, option: string): ResolvedEarlyRefresh {
  if (value === undefined || value === false) return { strategy: 'none' };
  if (typeof value === 'object' && value !== null && value.strategy === 'xfetch') {
    const beta = value.beta ?? 1;
    if (!(typeof beta === 'number' && beta > 0 && beta <= 100))
      throw invalidOption(`${option}.beta`, beta, 'use a number in (0, 100]; 1 is the optimum of Vattani et al.');
    return { strategy: 'xfetch', beta };
  }
  if (typeof value === 'object' && value !== null && value.strategy === 'ahead') {
    const at = value.at ?? 0.8;
    if (!(typeof at === 'number' && at > 0 && at < 1))
      throw invalidOption(`${option}.at`, at, 'use a fraction of the TTL in (0, 1), e.g. 0.8');
    return { strategy: 'ahead', at };
  }
  throw invalidOption(option, value, "use false, { strategy: 'xfetch', beta? } or { strategy: 'ahead', at? }");
}

/**
 * Parses a duration option (cache-wide or per call) as ms; `undefined` → 0.
 * @throws HR_CORE_INVALID_DURATION naming the option when it is not a valid duration
 */
export function duration(value: Duration | undefined, option: string): number {
  return value === undefined ? 0 : parseDuration(value, `cache.${option}`);
}

/**
 * Parses a strictly positive duration (a TTL).
 * @throws HR_CORE_INVALID_DURATION when it is not a duration; HR_CACHE_INVALID_OPTION when it is 0
 */
export function positiveDuration(value: Duration, option: string): number {
  const ms = duration(value, option);
  if (ms <= 0) throw invalidOption(option, value, "use a positive duration such as 5000 or '5s' (omit the option for no expiry)");
  return ms;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
