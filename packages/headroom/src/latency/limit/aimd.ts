/**
 * AIMD concurrency limit — additive increase, multiplicative decrease (Chiu & Jain 1989, TCP Reno),
 * with the semantics and defaults of Netflix concurrency-limits' `AIMDLimit`:
 * a drop, or a request slower than `timeoutMs`, multiplies the limit by `backoffRatio`; a success
 * while at least half the limit is in use adds 1; the limit stays within [minLimit, maxLimit].
 * Loss-based: it reacts only to drops and timeouts, not to latency creeping up below the timeout.
 * O(1) per sample.
 */
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import { intOption, invalidOption, numberOption } from '../options.js';
import type { LimitAlgorithm } from './limit-algorithm.js';

/** Options of {@link AimdLimit} (defaults are Netflix's). */
export interface AimdLimitOptions {
  /** Limit at start; default 20. */
  readonly initialLimit?: number;
  /** Lowest limit; default 20. */
  readonly minLimit?: number;
  /** Highest limit; default 200. */
  readonly maxLimit?: number;
  /** Factor applied on a drop, in [0.5, 1); default 0.9. */
  readonly backoffRatio?: number;
  /** A request slower than this counts as a drop, ms or '5s'; default 5,000. */
  readonly timeout?: Duration;
}

/**
 * Loss-based AIMD limit.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option or minLimit > maxLimit
 * @example const limiter = new ConcurrencyLimiter({ limit: new AimdLimit({ timeoutMs: 200 }) });
 */
export class AimdLimit implements LimitAlgorithm {
  readonly #minLimit: number;
  readonly #maxLimit: number;
  readonly #backoffRatio: number;
  readonly #timeoutMs: number;
  #limit: number;

  constructor(options: AimdLimitOptions = {}) {
    this.#minLimit = intOption('minLimit', options.minLimit, 20, 1);
    this.#maxLimit = intOption('maxLimit', options.maxLimit, 200, 1);
    if (this.#minLimit > this.#maxLimit) throw invalidOption('minLimit', this.#minLimit, `use a value ≤ maxLimit (${this.#maxLimit})`);
    this.#limit = intOption('initialLimit', options.initialLimit, 20, 1);
    this.#backoffRatio = numberOption('backoffRatio', options.backoffRatio, 0.9, 0.5, 0.999999);
    this.#timeoutMs = parsePositiveDuration(options.timeout, 'timeout', 5000);
  }

  get limit(): number {
    return this.#limit;
  }

  update(_startMs: number, rttMs: number, inflight: number, dropped: boolean): number {
    let limit = this.#limit;
    if (dropped || rttMs > this.#timeoutMs) limit = Math.trunc(limit * this.#backoffRatio);
    else if (inflight * 2 >= limit) limit = limit + 1;
    this.#limit = Math.min(this.#maxLimit, Math.max(this.#minLimit, limit));
    return this.#limit;
  }
}
