/**
 * The decider seam of adaptive concurrency limits, after Netflix concurrency-limits' `Limit`:
 * a synchronous object that takes one sample per finished request and returns the new limit.
 * It holds no timers and reads no clock, so the limiter, the simulator and tests drive the same code.
 */
import { intOption } from '../options.js';

/** An adaptive concurrency limit: feed it samples, read `limit`. */
export interface LimitAlgorithm {
  /** Current limit: how many requests may be in flight (an integer ≥ 1). */
  readonly limit: number;
  /**
   * Feeds one finished request and returns the new limit.
   * @param startMs - when the request acquired its permit, clock ms
   * @param rttMs - how long it held the permit, ms
   * @param inflight - requests in flight when it acquired its permit (itself included)
   * @param dropped - true when it failed in a way that signals overload (timeout, 503/504, client gave up)
   */
  update(startMs: number, rttMs: number, inflight: number, dropped: boolean): number;
}

/** `max(1, ⌊log10 n⌋)` below 1,000 and `⌊√n⌋` above, as Netflix's Log10RootFunction. */
export function log10Root(n: number): number {
  const i = Math.trunc(n);
  return i < 1000 ? Math.max(1, Math.trunc(Math.log10(Math.max(i, 1)))) : Math.trunc(Math.sqrt(i));
}

/**
 * A constant limit (a semaphore), for comparisons and for resources whose size is known.
 * @example new ConcurrencyLimiter({ limit: new FixedLimit(16) })
 */
export class FixedLimit implements LimitAlgorithm {
  readonly limit: number;
  /**
   * @param limit - permits, an integer ≥ 1
   * @throws HR_LATENCY_INVALID_OPTION when `limit` is not an integer ≥ 1
   */
  constructor(limit: number) {
    this.limit = intOption('limit', limit, 1, 1);
  }

  update(): number {
    return this.limit;
  }
}
