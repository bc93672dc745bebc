/**
 * Gradient2 concurrency limit, with the semantics and defaults of Netflix concurrency-limits'
 * `Gradient2Limit`: compare the latest RTT with a long-term exponential average of RTTs
 * (warm-up: plain mean of the first 10 samples, then EMA over `longWindow` samples):
 *
 *     gradient = clamp(rttTolerance × longRtt / rtt, 0.5, 1)
 *     limit    = (1 − smoothing) × limit + smoothing × (gradient × limit + queueSize)
 *
 * clamped to [minLimit, maxConcurrency]. Averages rather than the minimum, so bursty RPC latency
 * does not pin the baseline too low. When longRtt > 2 × rtt (recovery after a long overload)
 * longRtt decays by 5% per sample to come back quickly. No change while less than half the limit
 * is in use (app-limited). Drops are ignored, as in Netflix's implementation. O(1) per sample.
 */
import { intOption, invalidOption, numberOption } from '../options.js';
import type { LimitAlgorithm } from './limit-algorithm.js';

/** Options of {@link Gradient2Limit} (defaults are Netflix's). */
export interface Gradient2LimitOptions {
  /** Limit at start; default 20. */
  readonly initialLimit?: number;
  /** Lowest limit; default 20. */
  readonly minLimit?: number;
  /** Highest limit; default 200. */
  readonly maxConcurrency?: number;
  /** Weight of a new estimate, 0–1; default 0.2. */
  readonly smoothing?: number;
  /** Headroom added to the estimate (a number, or a function of the current limit); default 4. */
  readonly queueSize?: number | ((limit: number) => number);
  /** Samples in the long-term RTT average; default 600. */
  readonly longWindow?: number;
  /** Accepted ratio of current to long-term RTT before shrinking, ≥ 1; default 1.5. */
  readonly rttTolerance?: number;
}

const WARMUP_SAMPLES = 10;

/**
 * Gradient-based limit that tolerates moderate queueing and recovers quickly.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option or minLimit > maxConcurrency
 * @example const limiter = new ConcurrencyLimiter({ limit: new Gradient2Limit({ minLimit: 5 }) });
 */
export class Gradient2Limit implements LimitAlgorithm {
  readonly #minLimit: number;
  readonly #maxLimit: number;
  readonly #smoothing: number;
  readonly #queueSize: (limit: number) => number;
  readonly #longFactor: number;
  readonly #tolerance: number;
  #estimated: number;
  #longRttMs = 0;
  #longSum = 0;
  #longCount = 0;
  #lastRttMs = 0;

  constructor(options: Gradient2LimitOptions = {}) {
    this.#estimated = intOption('initialLimit', options.initialLimit, 20, 1);
    this.#minLimit = intOption('minLimit', options.minLimit, 20, 1);
    this.#maxLimit = intOption('maxConcurrency', options.maxConcurrency, 200, 1);
    if (this.#minLimit > this.#maxLimit)
      throw invalidOption('minLimit', this.#minLimit, `use a value ≤ maxConcurrency (${this.#maxLimit})`);
    this.#smoothing = numberOption('smoothing', options.smoothing, 0.2, 0, 1);
    const queueSize = options.queueSize ?? 4;
    if (typeof queueSize === 'number') {
      const q = numberOption('queueSize', queueSize, 4, 0);
      this.#queueSize = () => q;
    } else {
      this.#queueSize = queueSize;
    }
    this.#longFactor = 2 / (intOption('longWindow', options.longWindow, 600, 1) + 1);
    this.#tolerance = numberOption('rttTolerance', options.rttTolerance, 1.5, 1);
  }

  get limit(): number {
    return Math.trunc(this.#estimated);
  }

  /** The long-term RTT average, ms. */
  get longRttMs(): number {
    return this.#longRttMs;
  }

  /** The last RTT sample, ms. */
  get lastRttMs(): number {
    return this.#lastRttMs;
  }

  update(_startMs: number, rttMs: number, inflight: number, _dropped: boolean): number {
    if (!(rttMs > 0)) return this.limit;
    const estimated = this.#estimated;
    const queueSize = this.#queueSize(Math.trunc(estimated));
    this.#lastRttMs = rttMs;
    const longRtt = this.#addLong(rttMs);
    if (longRtt / rttMs > 2) this.#longRttMs *= 0.95;
    if (inflight < estimated / 2) return this.limit;
    const gradient = Math.max(0.5, Math.min(1, (this.#tolerance * longRtt) / rttMs));
    let next = estimated * gradient + queueSize;
    next = estimated * (1 - this.#smoothing) + next * this.#smoothing;
    this.#estimated = Math.max(this.#minLimit, Math.min(this.#maxLimit, next));
    return this.limit;
  }

  #addLong(rttMs: number): number {
    if (this.#longCount < WARMUP_SAMPLES) {
      this.#longCount++;
      this.#longSum += rttMs;
      this.#longRttMs = this.#longSum / this.#longCount;
    } else {
      this.#longRttMs = this.#longRttMs * (1 - this.#longFactor) + rttMs * this.#longFactor;
    }
    return this.#longRttMs;
  }
}
