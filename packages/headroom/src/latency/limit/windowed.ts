/**
 * WindowedLimit: feeds another limit one aggregate sample per time window instead of one per
 * request, with the semantics and defaults of Netflix concurrency-limits' `WindowedLimit`: a
 * window closes once it holds more than `windowSize` samples and its time is up; the delegate gets
 * the window's mean RTT, the most requests seen in flight, and whether any request dropped. The
 * window lasts twice the window's minimum RTT, clamped to [minWindowMs, maxWindowMs]. RTTs below
 * `minRttThresholdMs` (cache hits, fast failures) are ignored.
 *
 * Why: per-request samples make the delegate react to noise and, for Gradient2, make its
 * "long-term" RTT average span only `longWindow` requests (under a second at a few thousand
 * requests/s) instead of `longWindow` windows (minutes), so sustained queueing becomes the new
 * baseline. O(1) per sample.
 */
import type { Duration } from '../../core/duration.js';
import { durationOption, intOption, invalidOption } from '../options.js';
import type { LimitAlgorithm } from './limit-algorithm.js';

/** Options of {@link WindowedLimit} (defaults are Netflix's). */
export interface WindowedLimitOptions {
  /** Shortest window, ms or '1s'; default 1,000. */
  readonly minWindow?: Duration;
  /** Longest window (at least `minWindow`), ms or '1s'; default 1,000. */
  readonly maxWindow?: Duration;
  /** Samples a window needs (strictly more than this) before it is used; default 10. */
  readonly windowSize?: number;
  /** Samples faster than this are ignored, ms (a number such as 0.1) or a string such as '1ms'; default 0.1. */
  readonly minRttThreshold?: Duration;
}

/**
 * Wraps a limit algorithm so it sees one sample per window.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example new ConcurrencyLimiter({ limit: new WindowedLimit(new Gradient2Limit(), { minWindowMs: 100, maxWindowMs: 100 }) })
 */
export class WindowedLimit implements LimitAlgorithm {
  readonly #delegate: LimitAlgorithm;
  readonly #minWindowMs: number;
  readonly #maxWindowMs: number;
  readonly #windowSize: number;
  readonly #minRttMs: number;
  #nextUpdateMs = -Infinity;
  #count = 0;
  #sumRttMs = 0;
  #minSampleMs = Infinity;
  #maxInflight = 0;
  #dropped = false;

  constructor(delegate: LimitAlgorithm, options: WindowedLimitOptions = {}) {
    this.#delegate = delegate;
    this.#minWindowMs = durationOption('minWindow', options.minWindow, 1000);
    this.#maxWindowMs = durationOption('maxWindow', options.maxWindow, Math.max(1000, this.#minWindowMs));
    if (this.#maxWindowMs < this.#minWindowMs) {
      throw invalidOption('maxWindow', options.maxWindow, `use a duration of at least minWindow (${this.#minWindowMs} ms)`);
    }
    this.#windowSize = intOption('windowSize', options.windowSize, 10, 1);
    this.#minRttMs = durationOption('minRttThreshold', options.minRttThreshold, 0.1);
  }

  get limit(): number {
    return this.#delegate.limit;
  }

  update(startMs: number, rttMs: number, inflight: number, dropped: boolean): number {
    if (rttMs < this.#minRttMs) return this.limit;
    if (inflight > this.#maxInflight) this.#maxInflight = inflight;
    if (dropped) {
      this.#dropped = true;
    } else {
      this.#count++;
      this.#sumRttMs += rttMs;
      if (rttMs < this.#minSampleMs) this.#minSampleMs = rttMs;
    }
    const endMs = startMs + rttMs;
    if (endMs > this.#nextUpdateMs && this.#count > this.#windowSize) {
      const meanMs = this.#sumRttMs / this.#count;
      this.#nextUpdateMs = endMs + Math.min(Math.max(this.#minSampleMs * 2, this.#minWindowMs), this.#maxWindowMs);
      const maxInflight = this.#maxInflight;
      const anyDrop = this.#dropped;
      this.#count = 0;
      this.#sumRttMs = 0;
      this.#minSampleMs = Infinity;
      this.#maxInflight = 0;
      this.#dropped = false;
      return this.#delegate.update(startMs, meanMs, maxInflight, anyDrop);
    }
    return this.limit;
  }
}
