/**
 * Vegas concurrency limit — delay-based, after TCP Vegas (Brakmo & Peterson, 1995), with the
 * semantics and defaults of Netflix concurrency-limits' `VegasLimit`. It estimates the queue
 * as `limit × (1 − rttNoLoad / rtt)` and:
 * - grows by beta when the queue is ≤ threshold, by log10(limit) when < alpha;
 * - shrinks by log10(limit) when the queue is > beta or on a drop;
 * - holds when the queue is between alpha and beta, or when less than half the limit is in use.
 * alpha = 3·log10(limit), beta = 6·log10(limit), threshold = log10(limit) (see `log10Root`).
 * rttNoLoad is the minimum RTT seen, re-probed (reset to the current sample) every
 * `probeMultiplier × limit × jitter` samples, jitter uniform in [0.5, 1) from the injected Random,
 * so a permanently higher baseline is eventually accepted. O(1) per sample.
 */
import { defaultRandom, type Random } from '../../core/random.js';
import { intOption, numberOption } from '../options.js';
import { log10Root, type LimitAlgorithm } from './limit-algorithm.js';

/** Options of {@link VegasLimit} (defaults are Netflix's). */
export interface VegasLimitOptions {
  /** Limit at start; default 20. */
  readonly initialLimit?: number;
  /** Highest limit; default 1,000. */
  readonly maxConcurrency?: number;
  /** Weight of a new estimate, 0–1 (1 = take it whole); default 1. */
  readonly smoothing?: number;
  /** Probe rttNoLoad every `probeMultiplier × limit` samples (jittered); default 30. */
  readonly probeMultiplier?: number;
  /** Random source of the probe jitter; default `defaultRandom()`. */
  readonly random?: Random;
}

/**
 * Delay-based Vegas limit.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example const limiter = new ConcurrencyLimiter({ limit: new VegasLimit({ random }) });
 */
export class VegasLimit implements LimitAlgorithm {
  readonly #maxLimit: number;
  readonly #smoothing: number;
  readonly #probeMultiplier: number;
  readonly #random: Random;
  #estimated: number;
  #rttNoLoadMs = 0;
  #probeCount = 0;
  #probeJitter: number;

  constructor(options: VegasLimitOptions = {}) {
    this.#estimated = intOption('initialLimit', options.initialLimit, 20, 1);
    this.#maxLimit = intOption('maxConcurrency', options.maxConcurrency, 1000, 1);
    this.#smoothing = numberOption('smoothing', options.smoothing, 1, 0, 1);
    this.#probeMultiplier = intOption('probeMultiplier', options.probeMultiplier, 30, 1);
    this.#random = (options.random ?? defaultRandom()).fork('vegas');
    this.#probeJitter = this.#jitter();
  }

  get limit(): number {
    return Math.trunc(this.#estimated);
  }

  /** The current no-load RTT estimate, ms (0 before the first sample). */
  get rttNoLoadMs(): number {
    return this.#rttNoLoadMs;
  }

  update(_startMs: number, rttMs: number, inflight: number, dropped: boolean): number {
    // A zero RTT carries no queueing information (and would divide by zero); Netflix rejects it.
    if (!(rttMs > 0)) return this.limit;
    this.#probeCount++;
    if (this.#probeJitter * this.#probeMultiplier * this.#estimated <= this.#probeCount) {
      this.#probeJitter = this.#jitter();
      this.#probeCount = 0;
      this.#rttNoLoadMs = rttMs;
      return this.limit;
    }
    if (this.#rttNoLoadMs === 0 || rttMs < this.#rttNoLoadMs) {
      this.#rttNoLoadMs = rttMs;
      return this.limit;
    }
    const estimated = this.#estimated;
    const queueSize = Math.ceil(estimated * (1 - this.#rttNoLoadMs / rttMs));
    let next: number;
    if (dropped) {
      next = estimated - log10Root(estimated);
    } else if (inflight * 2 < estimated) {
      return this.limit;
    } else {
      const log = log10Root(estimated);
      const alpha = 3 * log;
      const beta = 6 * log;
      if (queueSize <= log) next = estimated + beta;
      else if (queueSize < alpha) next = estimated + log;
      else if (queueSize > beta) next = estimated - log;
      else return this.limit;
    }
    next = Math.max(1, Math.min(this.#maxLimit, next));
    this.#estimated = (1 - this.#smoothing) * estimated + this.#smoothing * next;
    return this.limit;
  }

  #jitter(): number {
    return 0.5 + this.#random.next() * 0.5;
  }
}
