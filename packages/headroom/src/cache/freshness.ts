/**
 * Freshness arithmetic shared by every tier: jittered TTLs and the soft/hard expiry pair (the
 * stale-if-error backoff is the core backoff, core/backoff.ts). Pure functions of `now` and a `Random`.
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
