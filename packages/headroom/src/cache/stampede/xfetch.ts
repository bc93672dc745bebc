/**
 * XFetch: probabilistic early expiration.
 *
 * Source: A. Vattani, F. Chierichetti, K. Lowenstein, "Optimal Probabilistic Cache Stampede
 * Prevention", VLDB 2015. A reader refreshes early when `now − δ·β·ln(u) ≥ expiry`, with u
 * uniform in (0, 1], δ the time the value took to compute and β ≥ 0 (1 is the paper's optimum;
 * > 1 refreshes earlier). The chance of an early refresh grows as expiry nears and with δ, so
 * expensive keys refresh sooner, and across many readers the expected number of recomputations
 * before expiry is about one. O(1), one random draw and one logarithm.
 *
 * Limits: δ is the key's last measured load time; a key whose load time swings widely gets a
 * noisy δ. With δ = 0 (a free loader) it never fires early.
 */
import type { Random } from '../../core/random.js';

/**
 * True when this read should start a refresh before `expiresAt`.
 * @param now - current time, ms
 * @param expiresAt - when the value turns stale, ms (same clock as `now`)
 * @param deltaMs - the key's measured load time, ms
 * @param beta - eagerness, ≥ 0 (default 1)
 * @param random - uniform source
 * @example shouldRefreshEarly(clock.now(), softExpiresAt, 40, 1, random)
 */
export function shouldRefreshEarly(now: number, expiresAt: number, deltaMs: number, beta: number, random: Random): boolean {
  if (deltaMs <= 0 || beta <= 0) return false;
  // 1 - next() lies in (0, 1], so the logarithm is finite and ≤ 0.
  return now - deltaMs * beta * Math.log(1 - random.next()) >= expiresAt;
}
