/**
 * Freshness arithmetic shared by every tier: jittered TTLs, the soft/hard expiry pair and the
 * stale-if-error backoff. Pure functions of `now` and a `Random`.
 *
 * Timeline of one entry written at `t` with soft TTL `ttl`:
 *   [t, t+ttl)                     fresh: served as is
 *   [t+ttl, t+ttl+swr)             stale-while-revalidate: served, refreshed once in background
 *   [t+ttl, t+ttl+sie)             stale-if-error: a failed reload serves the stale value
 *   ≥ t + ttl + max(swr, sie)      hard-expired: a miss
 */
import type { Random } from '../core/random.js';

/**
 * Applies ± `jitter` (a fraction) to a TTL so keys written together do not expire together.
 * @param ttlMs - the configured TTL, ms (Infinity stays Infinity)
 * @param jitter - fraction in [0, 1): the result lies in [ttl·(1−j), ttl·(1+j))
 */
export function jitteredTtl(ttlMs: number, jitter: number, random: Random): number {
  if (jitter === 0 || ttlMs === Infinity) return ttlMs;
  return ttlMs * (1 + jitter * (2 * random.next() - 1));
}

/** Exponential backoff settings for reloads that keep failing. */
export interface Backoff {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Ceiling, ms. */
  readonly maxMs: number;
}

/**
 * Delay before retry number `failures` (1-based): min(max, initial·2^(failures−1)), with "equal
 * jitter" (half fixed, half random) so instances that failed together do not retry together.
 */
export function backoffDelay(backoff: Backoff, failures: number, random: Random): number {
  const exp = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 40));
  return exp / 2 + (exp / 2) * random.next();
}
